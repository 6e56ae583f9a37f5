import { LlmError } from '../../runtime/llm/errors';

/** Rejection of `promise` as an LlmError (fails the test if it resolves or throws something else). */
export async function llmError(promise: Promise<unknown>): Promise<LlmError> {
	const error = await promise.then(
		() => {
			throw new Error('expected the call to fail');
		},
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(LlmError);
	return error as LlmError;
}
