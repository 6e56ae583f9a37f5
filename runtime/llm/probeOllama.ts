import { createOllamaClient, normalizeBaseUrl, toLlmError, type OllamaConnection } from './ollamaTransport';
import { LlmError } from './errors';

export interface OllamaProbe {
	version: string;
	models: string[];
}

/**
 * Checks that `connection` reaches an Ollama server that accepts our credentials, and says which
 * of the three usual mistakes it is when not: nothing there, a refusal (401/403), or something
 * that is not Ollama (a web page, another API). Used by the credential test and health checks.
 */
export async function probeOllama(connection: OllamaConnection, timeoutMs = 10_000): Promise<OllamaProbe> {
	const baseUrl = normalizeBaseUrl(connection.baseUrl);
	if (!/^https?:\/\/[^/\s]+/i.test(baseUrl)) {
		throw new LlmError('bad_request', `Base URL "${connection.baseUrl}" is not an http(s) URL, e.g. http://127.0.0.1:11434`);
	}
	const signal = AbortSignal.timeout(timeoutMs);
	const client = createOllamaClient(connection, signal);
	let version: string | undefined;
	try {
		version = (await client.version()).version;
	} catch (error) {
		const mapped = toLlmError(error, connection, {}, { timedOut: signal.aborted, cancelled: false });
		if (mapped.code === 'unreachable' || mapped.code === 'auth_failed' || mapped.code === 'not_ollama') throw mapped;
		if (mapped.code === 'timeout') {
			throw new LlmError('timeout', `${baseUrl} did not answer within ${timeoutMs / 1000} s: check the Base URL`, { baseUrl });
		}
		throw notOllama(baseUrl, mapped.message);
	}
	if (typeof version !== 'string') throw notOllama(baseUrl, 'GET /api/version has no "version" field');
	try {
		const { models } = await client.list();
		return { version, models: models.map((m) => m.name) };
	} catch (error) {
		throw toLlmError(error, connection, {});
	}
}

function notOllama(baseUrl: string, detail: string): LlmError {
	return new LlmError('not_ollama', `${baseUrl} answered, but not like an Ollama server (${detail}): check the Base URL`, {
		baseUrl,
	});
}
