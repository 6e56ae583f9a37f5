import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

import type { Services } from '../service/services';
import { requireToken } from './auth';
import { errorHandler } from './errorReplies';
import { jobRoutes } from './routes/jobs';
import { projectChangeRoutes } from './routes/projectChanges';
import { projectRoutes } from './routes/projects';
import { stepRoutes } from './routes/steps';
import { systemRoutes } from './routes/system';
import { webhookRoutes } from './routes/webhooks';

/**
 * The HTTP API: fastify validates every body, path and query with the contracts' JSON schemas
 * before a handler runs, so a refused request stores nothing; the same schemas make /openapi.json.
 */
export async function buildApi(services: Services): Promise<FastifyInstance> {
	const app: FastifyInstance = Fastify({
		loggerInstance: services.logger as FastifyBaseLogger,
		disableRequestLogging: true,
		bodyLimit: services.config.bodyLimitBytes,
		// Unknown fields are refused with their name, never silently dropped.
		ajv: { customOptions: { removeAdditional: false, allErrors: false } },
	});
	await app.register(swagger, {
		openapi: {
			info: { title: 'AI Company runtime', version: '0.1.0', description: 'Plans, codes, tests and publishes client projects on local models.' },
			components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
			security: services.config.apiToken ? [{ bearer: [] }] : [],
		},
	});
	app.setErrorHandler(errorHandler);
	// An empty body with a JSON content type (what n8n's HTTP Request node sends for "no body") means none.
	const parseJson = app.getDefaultJsonParser('error', 'error');
	app.removeContentTypeParser('application/json');
	app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
		if (typeof text === 'string' && text.trim() === '') return done(null, null);
		parseJson(request, String(text), done);
	});
	requireToken(app, services.config.apiToken);
	projectRoutes(app, services);
	projectChangeRoutes(app, services);
	stepRoutes(app, services);
	jobRoutes(app, services);
	systemRoutes(app, services);
	webhookRoutes(app, services);
	app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
	await app.ready();
	return app;
}
