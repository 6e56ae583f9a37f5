import { BodyRefusedError } from '../../../runtime/api/jsonBody';
import { AiCompanyError, ConflictError, InvalidInputError, TransientError } from '../../../runtime/errors';
import { describeFailure } from '../../../runtime/failures';
import { LlmError, LlmOutputError, LlmReplyTooLargeError } from '../../../runtime/llm/errors';
import { OutboundRefusedError } from '../../../runtime/net/outboundPolicy';
import { ProjectStoppedError } from '../../../runtime/queue/projectStops';
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
import { RemoteProblem } from '../../../runtime/workspace/remotes';

type Pinned = [label: string, error: Error, name: string, kind: string, httpStatus: number, retryable: boolean, field: string | null];

// What describeFailure answered for one instance of every error class of the runtime before the
// classes had a common base: the API's error replies and the worker's retry decisions rest on it.
const PINNED: Pinned[] = [
	['InvalidInputError', new InvalidInputError('settings.maxFixAttempts', 'must be at most 20'), 'InvalidInputError', 'invalid_input', 400, false, 'settings.maxFixAttempts'],
	['OutboundRefusedError', new OutboundRefusedError('settings.callbackUrl', 'http://10.0.0.1/', 'a private address'), 'OutboundRefusedError', 'invalid_input', 400, false, 'settings.callbackUrl'],
	['TransientError', new TransientError('callback answered HTTP 502'), 'TransientError', 'unavailable', 503, true, null],
	['ConflictError', new ConflictError('Idempotency-Key', 'was used for another request'), 'ConflictError', 'conflict', 409, false, 'Idempotency-Key'],
	['ProjectNotFoundError', new ProjectNotFoundError('p1'), 'ProjectNotFoundError', 'not_found', 404, false, null],
	['TaskNotFoundError', new TaskNotFoundError('p1', 'T9'), 'TaskNotFoundError', 'not_found', 404, false, null],
	['InvalidTransitionError', new InvalidTransitionError('p1', 'completed', 'development', 'T1'), 'InvalidTransitionError', 'conflict', 409, false, null],
	['VersionConflictError', new VersionConflictError('p1', 3, 4), 'VersionConflictError', 'version_conflict', 409, true, null],
	['UpdateContentionError', new UpdateContentionError('p1', 10), 'UpdateContentionError', 'busy', 503, true, null],
	['RedisUnavailableError', new RedisUnavailableError('127.0.0.1:6379', new Error('ECONNREFUSED')), 'RedisUnavailableError', 'busy', 503, true, null],
	['LlmError model_not_found', new LlmError('model_not_found', 'no such model', { status: 404 }), 'LlmError', 'model_not_found', 422, false, null],
	['LlmError unreachable', new LlmError('unreachable', 'refused'), 'LlmError', 'unreachable', 503, true, null],
	['LlmError auth_failed', new LlmError('auth_failed', 'who are you', { status: 401 }), 'LlmError', 'auth_failed', 502, false, null],
	['LlmError server_error', new LlmError('server_error', 'busy', { status: 503 }), 'LlmError', 'server_error', 503, true, null],
	['LlmError bad_request', new LlmError('bad_request', 'bad', { status: 400 }), 'LlmError', 'bad_request', 502, false, null],
	['LlmError timeout', new LlmError('timeout', 'too slow'), 'LlmError', 'timeout', 504, true, null],
	['LlmError cancelled', new LlmError('cancelled', 'stopped'), 'LlmError', 'cancelled', 409, false, null],
	['LlmError invalid_output', new LlmError('invalid_output', 'not JSON'), 'LlmError', 'invalid_output', 422, false, null],
	['LlmError reply_too_large', new LlmError('reply_too_large', 'big'), 'LlmError', 'reply_too_large', 422, false, null],
	['LlmError not_ollama', new LlmError('not_ollama', 'a web page'), 'LlmError', 'not_ollama', 502, false, null],
	['LlmOutputError', new LlmOutputError('llama3.2:3b', '{', ['not JSON'], 3), 'LlmOutputError', 'invalid_output', 422, false, null],
	['LlmReplyTooLargeError', new LlmReplyTooLargeError('big reply', { rawReply: 'x', limitBytes: 1 }), 'LlmReplyTooLargeError', 'reply_too_large', 422, false, null],
	['GitHubError unreachable', new GitHubError('GitHub could not be reached', 0), 'GitHubError', 'github', 502, true, null],
	['GitHubError 5xx', new GitHubError('GitHub failed', 502), 'GitHubError', 'github', 502, true, null],
	['GitHubError rate limit', new GitHubError('slow down', 429), 'GitHubError', 'github', 502, true, null],
	['GitHubError refusal', new GitHubError('GitHub refused', 403), 'GitHubError', 'github', 502, false, null],
	['GitError network', new GitError(['push'], 128, 'fatal: unable to access: Connection timed out'), 'GitError', 'git', 502, true, null],
	['GitError credentials', new GitError(['push'], 128, 'fatal: the remote refused the credentials'), 'GitError', 'git', 502, false, null],
	['GitError not found', new GitError(['push'], 128, 'fatal: repository not found'), 'GitError', 'git', 502, false, null],
	['GitError no repository', new GitError(['push'], 128, "fatal: 'x' does not appear to be a git repository"), 'GitError', 'git', 502, false, null],
];

describe('every error class of the runtime', () => {
	it.each(PINNED)('%s keeps its name, message, kind, HTTP status and retry decision', (_label, error, name, kind, httpStatus, retryable, field) => {
		const failure = describeFailure(error);
		expect(error.name).toBe(name);
		expect(failure).toEqual({ kind, httpStatus, retryable, message: error.message, ...(field === null ? {} : { field }) });
		expect(Object.keys(failure)).toEqual(['kind', 'httpStatus', 'retryable', 'message', ...(field === null ? [] : ['field'])]);
	});
});

describe('the error family', () => {
	it.each(PINNED)('%s is an AiCompanyError that says its kind, HTTP status and retry decision itself', (_label, error, _name, kind, httpStatus, retryable, field) => {
		expect(error).toBeInstanceOf(AiCompanyError);
		const own = error as AiCompanyError;
		expect({ kind: own.kind, httpStatus: own.httpStatus, retryable: own.retryable, field: own.field ?? null }).toEqual({ kind, httpStatus, retryable, field });
	});

	it('is described by what the error says, so a new class needs no entry in describeFailure', () => {
		class TeapotError extends AiCompanyError {
			readonly field = 'pot';
			get kind(): string {
				return 'teapot';
			}
			get httpStatus(): number {
				return 418;
			}
			get retryable(): boolean {
				return true;
			}
		}
		expect(describeFailure(new TeapotError('short and stout'))).toEqual({ kind: 'teapot', httpStatus: 418, retryable: true, message: 'short and stout', field: 'pot' });
	});

	it('describes a refused body as the API answers it (400 bad_request, 415 unsupported_media_type), not as an internal error', () => {
		expect(describeFailure(new BodyRefusedError(400, 'bad_request', 'the body is not valid UTF-8'))).toEqual({ kind: 'bad_request', httpStatus: 400, retryable: false, message: 'the body is not valid UTF-8' });
		expect(describeFailure(new BodyRefusedError(415, 'unsupported_media_type', 'charset "latin1" is not read here'))).toMatchObject({ kind: 'unsupported_media_type', httpStatus: 415, retryable: false });
	});

	it("describes a job stopped with its project as cancelled, never retried, as the worker reports it", () => {
		const error = new ProjectStoppedError('p1', 'deleted');
		expect(error.name).toBe('ProjectStoppedError');
		expect(describeFailure(error)).toEqual({ kind: 'cancelled', httpStatus: 409, retryable: false, message: 'project "p1" was deleted while the job ran' });
	});

	it('describes a bad remote as bad input, never retried, even before its caller names the field', () => {
		const error = new RemoteProblem('must not carry credentials: use GITHUB_TOKEN, or an ssh key');
		expect(error.name).toBe('RemoteProblem');
		expect(describeFailure(error)).toEqual({ kind: 'invalid_input', httpStatus: 400, retryable: false, message: error.message });
	});
});
