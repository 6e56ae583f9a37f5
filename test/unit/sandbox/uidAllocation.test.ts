import { randomInt } from 'node:crypto';

import { allocateUid, releaseUid } from '../../../runtime/sandbox/identity';

// The uid a sandboxed run gets as root: picked at random from 0x60000000 up, never one a live
// process or another run of this process holds. randomInt is pinned so the picks are known.
jest.mock('node:crypto', () => ({ ...jest.requireActual<typeof import('node:crypto')>('node:crypto'), randomInt: jest.fn() }));
const pick = randomInt as unknown as jest.Mock<number, [number]>;

const UID_BASE = 0x60000000;

afterEach(() => pick.mockReset());

describe('allocateUid', () => {
	it('hands out a free uid once, gives up with an error when every pick is held by another run, and hands it out again once released', async () => {
		pick.mockReturnValue(12345);
		const uid = await allocateUid();
		expect(uid).toBe(UID_BASE + 12345);
		await expect(allocateUid()).rejects.toThrow('could not find a free uid for the sandbox');
		expect(pick).toHaveBeenCalledTimes(1 + 100);
		releaseUid(uid);
		await expect(allocateUid()).resolves.toBe(uid);
		releaseUid(uid);
	});

	it('never picks the uid of a live process (here: this one)', async () => {
		pick.mockReturnValue(process.getuid!() - UID_BASE);
		await expect(allocateUid()).rejects.toThrow('could not find a free uid for the sandbox');
	});

	it('skips a held uid and takes the next free pick', async () => {
		pick.mockReturnValueOnce(process.getuid!() - UID_BASE).mockReturnValueOnce(7);
		const uid = await allocateUid();
		expect(uid).toBe(UID_BASE + 7);
		releaseUid(uid);
	});
});
