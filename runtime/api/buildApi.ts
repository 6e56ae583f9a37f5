import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

import type { Services } from '../service/services';
import { requireToken } from './auth';
import { errorHandler } from './errorReplies';
import { parseJsonBody } from './jsonBody';
import { approvalRoutes } from './routes/approval';
import { jobRoutes } from './routes/jobs';
import { portalRoutes } from './routes/portal';
import { projectChangeRoutes } from './routes/projectChanges';
import { projectRoutes } from './routes/projects';
import { stepRoutes } from './routes/steps';
import { systemRoutes } from './routes/system';
import { uiDashboard } from './routes/uiDashboard';
import { uiShell } from './routes/uiShell';
import { webhookRoutes } from './routes/webhooks';
import { validatorCompiler } from './validation';

/**
 * The HTTP API: fastify validates every body, path and query with the contracts' JSON schemas
 * before a handler runs, so a refused request stores nothing; the same schemas make /openapi.json.
 * What a client sends is taken as sent or refused by name: no type coercion, no unknown field
 * dropped, no duplicate key, no charset but UTF-8 (validation.ts, jsonBody.ts).
 */
export async function buildApi(services: Services): Promise<FastifyInstance> {
	const app: FastifyInstance = Fastify({
		loggerInstance: services.logger as FastifyBaseLogger,
		disableRequestLogging: true,
		bodyLimit: services.config.bodyLimitBytes,
	});
	app.setValidatorCompiler(validatorCompiler);
	await app.register(swagger, {
		openapi: {
			info: { title: 'AI Company runtime', version: '0.1.0', description: 'Plans, codes, tests and publishes client projects on local models.' },
			components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
			security: services.config.apiToken ? [{ bearer: [] }] : [],
		},
	});
	app.setErrorHandler(errorHandler);
	app.removeContentTypeParser('application/json');
	app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
		try {
			done(null, parseJsonBody(body as Buffer, request.headers['content-type']));
		} catch (error) {
			done(error as Error, undefined);
		}
	});
	requireToken(app, services.config.apiToken);
	await uiShell(app);
	projectRoutes(app, services);
	projectChangeRoutes(app, services);
	stepRoutes(app, services);
	jobRoutes(app, services);
	systemRoutes(app, services);
	webhookRoutes(app, services);
	await uiDashboard(app, services);
	approvalRoutes(app, services);
	portalRoutes(app, services);
	app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
	await app.ready();
	return app;
}
