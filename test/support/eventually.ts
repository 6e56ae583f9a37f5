/** Reads until `read` gives a value (not undefined), every 250 ms, failing with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
	for (const deadline = Date.now() + timeoutMs; ; ) {
		const value = await read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}
