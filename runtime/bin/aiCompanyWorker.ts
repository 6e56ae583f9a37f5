#!/usr/bin/env node
import { environmentHelp, loadConfig } from '../config/environment';
import { InvalidInputError } from '../errors';
import { startService, type ServiceRole } from './startService';

const USAGE = `Usage: ai-company-worker [--role api|worker|all]

Runs the AI Company runtime: the HTTP API and the BullMQ worker that plan, code, test and publish
projects on local models. One process (--role all, the default) starts everything; start more with
--role worker to scale out. Configuration comes from the environment:

`;

function parseRole(argv: string[]): ServiceRole | 'help' {
	let role: ServiceRole = 'all';
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') return 'help';
		const value = arg === '--role' ? argv[++i] : arg.startsWith('--role=') ? arg.slice(7) : undefined;
		if (value === undefined) throw new InvalidInputError(arg, 'is not an option; see --help');
		if (value !== 'api' && value !== 'worker' && value !== 'all') throw new InvalidInputError('--role', `must be api, worker or all, got ${JSON.stringify(value)}`);
		role = value;
	}
	return role;
}

async function main(): Promise<void> {
	const role = parseRole(process.argv.slice(2));
	if (role === 'help') {
		process.stdout.write(`${USAGE}${environmentHelp()}\n`);
		return;
	}
	const config = loadConfig(process.env);
	const service = await startService(config, role);
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		service.services.logger.info({ signal }, 'stopping: no new jobs; finishing or handing back the ones in flight');
		service.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				service.services.logger.error({ err: error }, 'stopped with an error');
				process.exit(1);
			},
		);
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
	const message = error instanceof Error ? error.message : String(error);
	process.stderr.write(`ai-company-worker: ${message}\n`);
	process.exit(error instanceof InvalidInputError ? 2 : 1);
});
