import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialDescription,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import type { Redis, RedisOptions } from 'ioredis';

import { connectRedis, InvalidInputError, RedisUnavailableError } from '../../runtime/index';

export const REDIS_CREDENTIAL_TEST = 'aiCompanyRedisConnectionTest';

/** The name every connection of this package shows in CLIENT LIST. */
export const REDIS_CONNECTION_NAME = 'n8n-nodes-ai-company';

/**
 * n8n's built-in Redis credential (n8n-nodes-base, type `redis`): host, port, password, user,
 * database, ssl, disableTlsVerification. Reusing it means an operator who already uses n8n's Redis
 * nodes needs no second credential.
 *
 * n8n runs `testedBy` only for credential types of the node's own package: for `redis` the editor's
 * Test button runs n8n-nodes-base's own test, and ours is used where we call it ourselves.
 */
export const redisCredentialDescriptions: INodeCredentialDescription[] = [
	{
		name: 'redis',
		required: true,
		testedBy: REDIS_CREDENTIAL_TEST,
		// Without displayOptions, n8n's editor folds a credential into the choice of the node's
		// `authentication` parameter (the Ollama one on the agent nodes), so Redis could not be picked
		// there; a condition that holds for every version of our nodes (1 so far) keeps it a field of its own, "Credential for Redis".
		displayOptions: { show: { '@version': [1] } },
	},
];

export interface RedisTarget {
	/** For ioredis, without `db`: the database is selected after connecting, so a bad number fails. */
	options: RedisOptions;
	database: number;
	/** host:port, for messages; never the password. */
	address: string;
}

/** Maps the credential's fields to connection options; refuses a port or database that is not a number. */
export function redisTargetFrom(data: ICredentialDataDecryptedObject | undefined): RedisTarget {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const host = text(data?.host) || 'localhost';
	const port = wholeNumber(data?.port, 6379, 'port', 1, 65535);
	const database = wholeNumber(data?.database, 0, 'database', 0, 1_000_000);
	const user = text(data?.user);
	const password = typeof data?.password === 'string' && data.password !== '' ? data.password : undefined;
	const options: RedisOptions = {
		host,
		port,
		username: user || undefined,
		password,
		connectionName: REDIS_CONNECTION_NAME,
		connectTimeout: 10_000,
		// A node run must not wait forever for a Redis that went away mid-execution: a few reconnect
		// attempts, then the command fails and the item says so.
		maxRetriesPerRequest: 2,
	};
	if (data?.ssl === true) options.tls = data.disableTlsVerification === true ? { rejectUnauthorized: false } : {};
	return { options, database, address: `${host}:${port}` };
}

/**
 * A ready connection to the credential's Redis and database. ioredis selects a database it is given
 * in the background and stays on database 0 when SELECT fails, so the database is selected here,
 * where a refusal can still stop the caller.
 */
export async function openRedis(data: ICredentialDataDecryptedObject | undefined): Promise<Redis> {
	const target = redisTargetFrom(data);
	const redis = await connectRedis(target.options);
	if (target.database === 0) return redis;
	try {
		await redis.select(target.database);
		return redis;
	} catch (error) {
		redis.disconnect();
		throw new InvalidInputError(
			'database',
			`Redis at ${target.address} refused database ${target.database} (${messageOf(error)}): check the credential's Database Number`,
		);
	}
}

/** Closes a connection politely, or drops it when Redis does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
	try {
		await redis.quit();
	} catch {
		redis.disconnect();
	}
}

/** What to check when Redis cannot be used, from the error the connection failed with. */
export function redisProblemHint(error: unknown): string {
	const cause = error instanceof RedisUnavailableError ? (error.cause ?? error) : error;
	const text = `${(cause as { code?: unknown } | null)?.code ?? ''} ${messageOf(cause)}`;
	if (/WRONGPASS|NOAUTH|invalid password|invalid username-password|AUTH failed/i.test(text)) {
		return 'Redis refused the login: check the credential\'s User and Password (leave User empty for password-only auth).';
	}
	if (/ECONNREFUSED/.test(text)) return 'Nothing accepts connections there: check the credential\'s Host and Port, and that Redis is running.';
	if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'The host name does not resolve: check the credential\'s Host.';
	if (/ETIMEDOUT|timed? ?out/i.test(text)) {
		return 'No answer in time: check the Host and Port, and that no firewall drops the connection.';
	}
	if (/certificate|self[- ]signed|SSL|TLS|EPROTO|wrong version number/i.test(text)) {
		return 'The TLS handshake failed: check the credential\'s SSL setting, and Disable TLS Verification for a self-signed certificate.';
	}
	if (/ECONNRESET|Connection is closed|socket hang up/i.test(text)) {
		return 'Redis closed the connection: if the server only speaks TLS, turn on the credential\'s SSL setting (and off if it does not).';
	}
	return 'Check the Redis credential: Host, Port, User, Password, Database Number and SSL.';
}

/** The credential's check: connects as a node would, sends PING, and reports the server version. */
export async function testRedisCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let redis: Redis | undefined;
	try {
		const target = redisTargetFrom(credential.data);
		redis = await openRedis(credential.data);
		const pong = await redis.ping();
		if (pong !== 'PONG') return { status: 'Error', message: `Redis at ${target.address} answered PING with ${JSON.stringify(pong)}` };
		const version = await serverVersion(redis);
		return { status: 'OK', message: `Connected to Redis ${version} at ${target.address}, database ${target.database}` };
	} catch (error) {
		if (error instanceof InvalidInputError) return { status: 'Error', message: error.message };
		return { status: 'Error', message: `${messageOf(error)}. ${redisProblemHint(error)}` };
	} finally {
		if (redis) await closeRedis(redis);
	}
}

async function serverVersion(redis: Redis): Promise<string> {
	try {
		const info = await redis.info('server');
		return /redis_version:([^\s]+)/.exec(info)?.[1] ?? '(version unknown)';
	} catch {
		// An ACL may forbid INFO; the connection works all the same.
		return '(version unknown: INFO not permitted)';
	}
}

function wholeNumber(value: unknown, fallback: number, field: string, min: number, max: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	const number = typeof value === 'string' ? Number(value.trim()) : value;
	if (!Number.isSafeInteger(number) || (number as number) < min || (number as number) > max) {
		throw new InvalidInputError(field, `the Redis credential's ${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
	}
	return number as number;
}

function messageOf(error: unknown): string {
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' ? message : String(error);
}
