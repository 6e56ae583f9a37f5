import { connectRedis, RedisUnavailableError } from '../../../runtime/state';
import { InvalidInputError } from '../../../runtime/errors';
import { closedPort } from '../../support/ports';
import { testRedisOptions } from '../../support/redis';

describe('connectRedis', () => {
	it('returns a ready client whose commands wait through reconnects, as BullMQ needs', async () => {
		const redis = await connectRedis(testRedisOptions());
		try {
			expect(redis.status).toBe('ready');
			expect(await redis.ping()).toBe('PONG');
			expect(redis.options.maxRetriesPerRequest).toBeNull();
		} finally {
			await redis.quit();
		}
	});

	it('keeps a maxRetriesPerRequest the caller chose', async () => {
		const redis = await connectRedis({ ...testRedisOptions(), maxRetriesPerRequest: 2 });
		try {
			expect(redis.options.maxRetriesPerRequest).toBe(2);
		} finally {
			await redis.quit();
		}
	});

	it('fails fast naming host and port when nothing listens there', async () => {
		const port = await closedPort();
		const started = Date.now();
		const error = await connectRedis({ host: '127.0.0.1', port }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(RedisUnavailableError);
		expect((error as Error).message).toMatch(new RegExp(`^Cannot reach Redis at 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it('names the host as it was given (a name, not an address)', async () => {
		const port = await closedPort();
		const error = await connectRedis({ host: 'localhost', port }).catch((e: unknown) => e);
		expect(error).toMatchObject({ address: `localhost:${port}` });
		expect((error as Error).message).toMatch(new RegExp(`^Cannot reach Redis at localhost:${port}: `));
	});

	it('names the address of a URL without its password', async () => {
		const port = await closedPort();
		const error = await connectRedis(`redis://user:s3cret@127.0.0.1:${port}/3`).catch((e: unknown) => e);
		expect(error).toMatchObject({ address: `127.0.0.1:${port}` });
		expect((error as Error).message).not.toContain('s3cret');
	});
});

describe('connectRedis database selection', () => {
	it('refuses a database Redis does not have instead of silently using database 0', async () => {
		const error = await connectRedis({ ...testRedisOptions(), db: 99_999 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(InvalidInputError);
		expect((error as InvalidInputError).field).toBe('database');
		expect((error as Error).message).toMatch(/refused database 99999/);
	});

	it('is on the database it was given', async () => {
		const redis = await connectRedis({ ...testRedisOptions(), db: 12 });
		try {
			expect(await redis.call('CLIENT', 'INFO')).toMatch(/\bdb=12\b/);
		} finally {
			await redis.quit();
		}
	});
});
