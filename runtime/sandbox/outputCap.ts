/**
 * Collects a process's output up to a cap, keeping its head and its tail (where test runners print
 * their summary) and counting what was dropped in between. Memory stays near the cap however much
 * the process prints.
 */
export class OutputCap {
	private readonly headLimit: number;
	private readonly tailLimit: number;
	private readonly head: Buffer[] = [];
	private headBytes = 0;
	private tail: Buffer[] = [];
	private tailBytes = 0;
	private totalBytes = 0;

	constructor(maxBytes: number) {
		this.headLimit = Math.floor(maxBytes / 2);
		this.tailLimit = maxBytes - this.headLimit;
	}

	get truncated(): boolean {
		return this.totalBytes > this.headLimit + this.tailLimit;
	}

	push(chunk: Buffer): void {
		this.totalBytes += chunk.length;
		if (this.headBytes < this.headLimit) {
			const taken = chunk.subarray(0, this.headLimit - this.headBytes);
			this.head.push(taken);
			this.headBytes += taken.length;
			chunk = chunk.subarray(taken.length);
		}
		if (chunk.length === 0 || this.tailLimit === 0) return;
		// Copy: a subarray would keep the whole (possibly large) chunk alive.
		this.tail.push(Buffer.from(chunk.subarray(Math.max(0, chunk.length - this.tailLimit))));
		this.tailBytes += Math.min(chunk.length, this.tailLimit);
		while (this.tailBytes - this.tail[0].length >= this.tailLimit) this.tailBytes -= this.tail.shift()!.length;
	}

	/** The output as text; when over the cap, head and tail around a line saying how much was left out. */
	text(): string {
		if (!this.truncated) return Buffer.concat([...this.head, ...this.tail]).toString('utf8');
		let tail = Buffer.concat(this.tail);
		tail = tail.subarray(tail.length - this.tailLimit);
		const omitted = this.totalBytes - this.headBytes - tail.length;
		return `${Buffer.concat(this.head).toString('utf8')}\n[… ${omitted} bytes of output left out …]\n${tail.toString('utf8')}`;
	}
}
