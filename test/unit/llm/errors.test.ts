import { describeFailure } from '../../../runtime/failures';
import { LlmError, LlmOutputError, LlmReplyTooLargeError } from '../../../runtime/llm/errors';
import { excerpt } from '../../../runtime/llm/excerpt';

describe('the LlmError codes added for replies that are too large or not Ollama\'s', () => {
	it('reply_too_large is permanent and answered with 422', () => {
		const error = new LlmReplyTooLargeError('big reply', { model: 'm', baseUrl: 'http://x', rawReply: 'abc', limitBytes: 10 });
		expect(error.code).toBe('reply_too_large');
		expect(error.retryable).toBe(false);
		expect(describeFailure(error)).toEqual({ kind: 'reply_too_large', httpStatus: 422, retryable: false, message: 'big reply' });
	});

	it('not_ollama is permanent and answered with 502', () => {
		const error = new LlmError('not_ollama', 'a web page');
		expect(error.retryable).toBe(false);
		expect(describeFailure(error)).toEqual({ kind: 'not_ollama', httpStatus: 502, retryable: false, message: 'a web page' });
	});
});

describe('raw replies kept in errors', () => {
	it('keeps a short raw reply as it is', () => {
		expect(new LlmOutputError('m', 'Sorry.', ['not JSON'], 1).rawReply).toBe('Sorry.');
	});

	it('keeps only the head and tail of a long raw reply', () => {
		const raw = `HEAD${'x'.repeat(5_000_000)}TAIL`;
		const kept = new LlmOutputError('m', raw, ['not JSON'], 1).rawReply;
		expect(kept.length).toBeLessThan(10_000);
		expect(kept.startsWith('HEAD')).toBe(true);
		expect(kept.endsWith('TAIL')).toBe(true);
		expect(kept).toContain(`[${raw.length - 6_000} characters left out]`);
		expect(new LlmReplyTooLargeError('big', { rawReply: raw, limitBytes: 1 }).rawReply).toBe(kept);
	});

	it('does not cut a surrogate pair in half', () => {
		const raw = '😀'.repeat(10_000);
		const kept = excerpt(raw, 3, 3);
		expect(kept.startsWith('😀')).toBe(true);
		expect(kept).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
		expect(kept).not.toMatch(/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
	});
});
