import { LlmError } from '../../../runtime/llm/errors';
import { normalizeBaseUrl, toLlmError } from '../../../runtime/llm/ollamaTransport';

// How whatever goes wrong on the way to Ollama becomes an LlmError with a code the retry loop and
// the worker act on, and a message naming the server and the model.

const connection = { baseUrl: 'http://gpu-box:11434/' };
const BASE = 'http://gpu-box:11434';

function httpError(status: number, message: string): Error {
	return Object.assign(new Error(message), { status_code: status });
}

describe('mapping a failed Ollama call to an LlmError', () => {
	it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED'])(
		'calls a connection error %s unreachable (retried), naming the code and the server',
		(code) => {
			const error = toLlmError(Object.assign(new Error('boom'), { code }), connection, { model: 'm' });
			expect(error.code).toBe('unreachable');
			expect(error.retryable).toBe(true);
			expect(error.message).toBe(`Cannot reach Ollama at ${BASE} (${code}): check the credential's Base URL and that Ollama is running`);
			expect(error).toMatchObject({ model: 'm', baseUrl: BASE });
		},
	);

	it('finds the connection code in the causes, up to five levels down, and not deeper', () => {
		const wrapped = (levels: number) => {
			let error: Error = Object.assign(new Error('socket'), { code: 'ECONNRESET' });
			for (let i = 0; i < levels; i++) error = new Error(`wrapper ${i}`, { cause: error });
			return error;
		};
		expect(toLlmError(wrapped(4), connection, {}).code).toBe('unreachable');
		expect(toLlmError(wrapped(5), connection, {}).code).toBe('server_error');
	});

	it('calls an unknown error code, or a code that is not text, a failure during the reply', () => {
		expect(toLlmError(Object.assign(new Error('x'), { code: 'EWHATEVER' }), connection, {}).code).toBe('server_error');
		expect(toLlmError(Object.assign(new Error('x'), { code: 111 }), connection, {}).code).toBe('server_error');
	});

	it("calls undici's bare \"fetch failed\" TypeError unreachable, but not another TypeError", () => {
		expect(toLlmError(new TypeError('fetch failed'), connection, {}).message).toContain('(fetch failed)');
		const other = toLlmError(new TypeError('x is not a function'), connection, {});
		expect(other.code).toBe('server_error');
		expect(other.message).toBe(`Ollama at ${BASE} failed during the reply: x is not a function`);
		expect(toLlmError(new Error('fetch failed'), connection, {}).code).toBe('server_error');
	});

	it('says what was thrown when it is not an Error', () => {
		expect(toLlmError('just text', connection, {}).message).toBe(`Ollama at ${BASE} failed during the reply: just text`);
	});

	it('keeps an LlmError as it is', () => {
		const original = new LlmError('invalid_output', 'kept');
		expect(toLlmError(original, connection, {}, { timedOut: true, cancelled: true })).toBe(original);
	});

	it('puts a cancel before a timeout, and both before what the request said', () => {
		const cancelled = toLlmError(httpError(500, 'x'), connection, { model: 'm' }, { timedOut: true, cancelled: true });
		expect(cancelled.code).toBe('cancelled');
		expect(cancelled.message).toBe('The execution was cancelled while waiting for Ollama');
		expect(cancelled.retryable).toBe(false);
		const timedOut = toLlmError(httpError(500, 'x'), connection, { model: 'm', timeoutMs: 2000 }, { timedOut: true, cancelled: false });
		expect(timedOut.code).toBe('timeout');
	});

	it.each([
		[999, '999 ms'],
		[1000, '1 s'],
		[1234, '1.2 s'],
		[300_000, '300 s'],
	])('writes a timeout of %d ms as "%s"', (ms, text) => {
		const error = toLlmError(new Error('aborted'), connection, { model: 'm', timeoutMs: ms }, { timedOut: true, cancelled: false });
		expect(error.message).toBe(`Ollama at ${BASE} did not finish the reply of model "m" within ${text} (the Timeout option; 0 means no limit)`);
	});

	it('says "did not answer" for a timed-out call that was for no model, and 0 ms without a timeout given', () => {
		const error = toLlmError(new Error('aborted'), connection, {}, { timedOut: true, cancelled: false });
		expect(error.message).toBe(`Ollama at ${BASE} did not answer within 0 ms (the Timeout option; 0 means no limit)`);
	});

	it('reads a 404 naming the model as a model that is not pulled', () => {
		const error = toLlmError(httpError(404, 'model "qwen" not found, try pulling it first'), connection, { model: 'qwen' });
		expect(error).toMatchObject({ code: 'model_not_found', status: 404, model: 'qwen' });
		expect(error.message).toBe(
			`Model "qwen" is not available on ${BASE} (model "qwen" not found, try pulling it first). Pull it with "ollama pull qwen" or pick one from the Model list`,
		);
		expect(error.retryable).toBe(false);
	});

	it('reads any other 404, or a 404 for a call without a model, as a wrong Base URL', () => {
		for (const [message, model] of [
			['404 page not found', 'qwen'],
			['model listing moved', undefined],
			['remodelled', 'qwen'],
		] as const) {
			const error = toLlmError(httpError(404, message), connection, { model });
			expect(error.code).toBe('bad_request');
			expect(error.message).toBe(
				`Ollama at ${BASE} has no such API endpoint (HTTP 404: ${message}): check the credential's Base URL, e.g. http://127.0.0.1:11434`,
			);
		}
	});

	it.each([401, 403])('reads %d as refused credentials', (status) => {
		const error = toLlmError(httpError(status, 'nope'), connection, {});
		expect(error).toMatchObject({ code: 'auth_failed', status });
		expect(error.message).toBe(`Ollama at ${BASE} refused the request with HTTP ${status} (nope): check the credential's API Key`);
	});

	it.each([500, 503, 599])('reads %d as a server error (retried)', (status) => {
		const error = toLlmError(httpError(status, 'busy'), connection, {});
		expect(error).toMatchObject({ code: 'server_error', status });
		expect(error.retryable).toBe(true);
		expect(error.message).toBe(`Ollama at ${BASE} answered HTTP ${status}: busy`);
	});

	it.each([400, 413, 499])('reads %d as a bad request (not retried)', (status) => {
		const error = toLlmError(httpError(status, 'bad'), connection, {});
		expect(error).toMatchObject({ code: 'bad_request', status });
		expect(error.retryable).toBe(false);
		expect(error.message).toBe(`Ollama at ${BASE} rejected the request with HTTP ${status}: bad`);
	});

	it('ignores a status that is not a number', () => {
		expect(toLlmError(Object.assign(new Error('odd'), { status_code: '500' }), connection, {}).status).toBeUndefined();
	});

	it('keeps the original error as the cause', () => {
		const original = httpError(500, 'x');
		expect(toLlmError(original, connection, {}).cause).toBe(original);
	});
});

describe('normalising a Base URL', () => {
	it.each([
		['http://h:11434', 'http://h:11434'],
		[' http://h:11434/ ', 'http://h:11434'],
		['http://h:11434///', 'http://h:11434'],
		['http://h:11434/api', 'http://h:11434'],
		['http://h:11434/api/', 'http://h:11434'],
		['http://h:11434/ollama/api', 'http://h:11434/ollama'],
		['http://h:11434/apis', 'http://h:11434/apis'],
	])('reads %j as %s', (given, expected) => {
		expect(normalizeBaseUrl(given)).toBe(expected);
	});
});
