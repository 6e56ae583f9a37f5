import { InvalidInputError, TransientError } from '../../../runtime/errors';
import { describeFailure } from '../../../runtime/failures';
import { LlmError, LlmOutputError, type LlmErrorCode } from '../../../runtime/llm/errors';
import {
	InvalidTransitionError,
	ProjectNotFoundError,
	RedisUnavailableError,
	TaskNotFoundError,
	UpdateContentionError,
	VersionConflictError,
} from '../../../runtime/state/errors';
import { GitError } from '../../../runtime/workspace/git';
import { GitHubError } from '../../../runtime/workspace/github';

function withCode(message: string, code: string): Error {
	return Object.assign(new Error(message), { code });
}

describe('describeFailure', () => {
	it('answers bad input with 400, never retried, naming the field', () => {
		expect(describeFailure(new InvalidInputError('settings.maxFixAttempts', 'must be at most 20'))).toEqual({
			kind: 'invalid_input',
			httpStatus: 400,
			retryable: false,
			message: 'settings.maxFixAttempts: must be at most 20',
			field: 'settings.maxFixAttempts',
		});
	});

	it('answers a missing project or task with 404, not retried', () => {
		expect(describeFailure(new ProjectNotFoundError('p1'))).toMatchObject({ kind: 'not_found', httpStatus: 404, retryable: false });
		expect(describeFailure(new TaskNotFoundError('p1', 'T9'))).toMatchObject({ kind: 'not_found', httpStatus: 404, retryable: false });
	});

	it('answers a refused status change with 409, not retried', () => {
		expect(describeFailure(new InvalidTransitionError('p1', 'completed', 'development'))).toMatchObject({ kind: 'conflict', httpStatus: 409, retryable: false });
	});

	it('answers a stale version with 409 that may be retried after reading again', () => {
		expect(describeFailure(new VersionConflictError('p1', 3, 4))).toMatchObject({ kind: 'version_conflict', httpStatus: 409, retryable: true });
	});

	it('answers a busy or unreachable store with 503, retried', () => {
		expect(describeFailure(new UpdateContentionError('p1', 10))).toMatchObject({ httpStatus: 503, retryable: true });
		expect(describeFailure(new RedisUnavailableError('127.0.0.1:6379', new Error('ECONNREFUSED')))).toMatchObject({ httpStatus: 503, retryable: true });
	});

	it.each<[LlmErrorCode, number, boolean]>([
		['model_not_found', 422, false],
		['server_error', 503, true],
		['unreachable', 503, true],
		['timeout', 504, true],
		['invalid_output', 422, false],
		['auth_failed', 502, false],
		['rate_limited', 503, true],
		['bad_request', 502, false],
		['cancelled', 409, false],
	])('answers a model error %s with %i, retryable %p', (code, httpStatus, retryable) => {
		const failure = describeFailure(new LlmError(code, `model said ${code}`));
		expect(failure).toEqual({ kind: code, httpStatus, retryable, message: `model said ${code}` });
	});

	it('treats a model that keeps answering outside the contract as invalid output, not retried', () => {
		expect(describeFailure(new LlmOutputError('llama3.2:3b', '{', ['not JSON'], 3))).toMatchObject({ kind: 'invalid_output', httpStatus: 422, retryable: false });
	});

	it.each([500, 502, 503, 0, 429])('retries a GitHub failure with status %i', (status) => {
		expect(describeFailure(new GitHubError('GitHub failed', status))).toMatchObject({ kind: 'github', httpStatus: 502, retryable: true });
	});

	it.each([401, 403, 404, 422])('does not retry a GitHub refusal with status %i', (status) => {
		expect(describeFailure(new GitHubError('GitHub refused', status))).toMatchObject({ kind: 'github', httpStatus: 502, retryable: false });
	});

	it('retries a git push that failed on the network but not one whose credentials were refused', () => {
		expect(describeFailure(new GitError(['push'], 128, 'fatal: unable to access: Connection timed out'))).toMatchObject({ kind: 'git', httpStatus: 502, retryable: true });
		expect(describeFailure(new GitError(['push'], 128, 'fatal: repository not found'))).toMatchObject({ kind: 'git', retryable: false });
	});

	it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND'])('answers a network error %s with 503, retried', (code) => {
		expect(describeFailure(withCode(`connect ${code} 127.0.0.1:6379`, code))).toMatchObject({ kind: 'unavailable', httpStatus: 503, retryable: true });
	});

	it('answers a closed Redis connection with 503, retried', () => {
		expect(describeFailure(new Error('Connection is closed.'))).toMatchObject({ kind: 'unavailable', httpStatus: 503, retryable: true });
	});

	it('answers any other error with 500, not retried, keeping its message', () => {
		expect(describeFailure(new Error('undefined is not a function'))).toEqual({ kind: 'internal', httpStatus: 500, retryable: false, message: 'undefined is not a function' });
		expect(describeFailure(withCode('no such file', 'ENOENT'))).toMatchObject({ kind: 'internal', httpStatus: 500, retryable: false });
	});

	it('describes a thrown non-error by its text', () => {
		expect(describeFailure('boom')).toEqual({ kind: 'internal', httpStatus: 500, retryable: false, message: 'boom' });
		expect(describeFailure(null)).toMatchObject({ kind: 'internal', message: 'null' });
		expect(describeFailure(undefined)).toMatchObject({ kind: 'internal', message: 'undefined' });
	});
});

describe('a failure that says it is transient', () => {
	it('is retried and answered 503, like the model server being down', () => {
		expect(describeFailure(new TransientError('callback to http://x answered HTTP 502'))).toMatchObject({ kind: 'unavailable', httpStatus: 503, retryable: true });
	});
});
