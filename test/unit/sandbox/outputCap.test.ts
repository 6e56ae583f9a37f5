import { OutputCap } from '../../../runtime/sandbox/outputCap';

describe('OutputCap', () => {
	it('keeps everything under the cap, in order', () => {
		const cap = new OutputCap(100);
		for (const part of ['one ', 'two ', 'three']) cap.push(Buffer.from(part));
		expect(cap.text()).toBe('one two three');
		expect(cap.truncated).toBe(false);
	});

	it('keeps the head and the tail of a long output, says how much it left out, and stays near the cap', () => {
		const cap = new OutputCap(1000);
		cap.push(Buffer.from('HEAD-'));
		const chunk = Buffer.alloc(64 * 1024, 'm');
		for (let i = 0; i < 160; i++) cap.push(chunk); // 10 MiB
		cap.push(Buffer.from('-TAIL'));
		const text = cap.text();
		expect(cap.truncated).toBe(true);
		expect(text.startsWith('HEAD-')).toBe(true);
		expect(text.endsWith('-TAIL')).toBe(true);
		expect(text).toMatch(/\[… 10484770 bytes of output left out …\]/);
		expect(text.length).toBeLessThan(1100);
	});

	it('is exact at the boundary', () => {
		const cap = new OutputCap(10);
		cap.push(Buffer.from('0123456789'));
		expect([cap.text(), cap.truncated]).toEqual(['0123456789', false]);
		cap.push(Buffer.from('A'));
		expect(cap.truncated).toBe(true);
		expect(cap.text()).toBe('01234\n[… 1 bytes of output left out …]\n6789A');
	});
});
