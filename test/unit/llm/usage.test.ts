import { addUsage, emptyUsage, type LlmUsage } from '../../../runtime/contracts/usage';

const usage = (n: number): LlmUsage => ({ promptTokens: n, completionTokens: n, totalTokens: n, llmMs: n, wallMs: n, calls: n });

describe('addUsage', () => {
	it('adds every field', () => {
		expect(addUsage(usage(2), usage(3))).toEqual(usage(5));
		expect(addUsage(emptyUsage(), usage(7))).toEqual(usage(7));
	});

	it('stays finite when huge numbers are added: 1e308 twice is capped at Number.MAX_SAFE_INTEGER, not Infinity (stored as null)', () => {
		const sum = addUsage(usage(1e308), usage(1e308));
		expect(sum).toEqual(usage(Number.MAX_SAFE_INTEGER));
		expect(JSON.parse(JSON.stringify(sum))).toEqual(sum);
		expect(addUsage(usage(Number.MAX_SAFE_INTEGER), usage(1))).toEqual(usage(Number.MAX_SAFE_INTEGER));
	});

	it('counts numbers that are not counts (NaN, negative) as 0 and Infinity as the cap', () => {
		expect(addUsage(usage(Number.NaN), usage(4))).toEqual(usage(4));
		expect(addUsage(usage(-10), usage(4))).toEqual(usage(4));
		expect(addUsage(usage(Number.POSITIVE_INFINITY), usage(4))).toEqual(usage(Number.MAX_SAFE_INTEGER));
		expect(addUsage(usage(4), { ...usage(1), promptTokens: 'many' as unknown as number })).toEqual({ ...usage(5), promptTokens: 4 });
	});
});
