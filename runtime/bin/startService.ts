import type { FastifyInstance } from 'fastify';

import { buildApi } from '../api/buildApi';
import type { ServiceConfig } from '../config/environment';
import type { Services } from '../service/services';
import { startWorker, type RunningWorker } from '../worker/startWorker';
import { createServices } from './createServices';

export type ServiceRole = 'api' | 'worker' | 'all';

export interface RunningService {
	services: Services;
	api?: FastifyInstance;
	worker?: RunningWorker;
	/** The API's address once listening, e.g. http://127.0.0.1:8000. */
	url?: string;
	/** Stops taking requests and jobs, lets jobs in flight finish (or hands them back), closes connections. */
	stop(): Promise<void>;
}

/** Starts the API, the worker, or both in one process (the default: one command starts everything). */
export async function startService(config: ServiceConfig, role: ServiceRole = 'all'): Promise<RunningService> {
	const services = await createServices(config);
	const running: RunningService = {
		services,
		async stop() {
			await running.api?.close();
			await running.worker?.stop(config.shutdownGraceMs);
			await services.close();
		},
	};
	try {
		if (role !== 'worker') {
			running.api = await buildApi(services);
			running.url = await running.api.listen({ port: config.port, host: config.host });
			services.logger.info({ url: running.url }, 'API listening');
		}
		if (role !== 'api') running.worker = startWorker(services);
	} catch (error) {
		await running.stop().catch(() => undefined);
		throw error;
	}
	return running;
}
