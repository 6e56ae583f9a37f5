// What `npm run start:local` (scripts/run-local.js) creates for the templates: the credentials
// they refer to, the Redis one from REDIS_URL.

interface CredentialSpec {
	id: string;
	name: string;
	type: string;
}
interface RedisCredentialData {
	host: string;
	port: number;
	user: string;
	password: string;
	database: number;
	ssl: boolean;
	disableTlsVerification: boolean;
}
// A plain CommonJS script without type declarations (it runs main() only when run itself).
const runLocal = require('../../../scripts/run-local.js') as {
	LOCAL_OLLAMA_CREDENTIAL: CredentialSpec;
	LOCAL_REDIS_CREDENTIAL: CredentialSpec;
	redisCredentialFromUrl: (url: string) => RedisCredentialData;
	describeRedis: (redis: RedisCredentialData) => string;
};

describe('run-local credentials', () => {
	it('are the ones the templates refer to: "Ollama (local)" of our type and "Redis (local)" of n8n\'s redis type', () => {
		expect(runLocal.LOCAL_OLLAMA_CREDENTIAL).toEqual({ id: 'aicOllamaLocal01', name: 'Ollama (local)', type: 'aiCompanyOllamaApi' });
		expect(runLocal.LOCAL_REDIS_CREDENTIAL).toEqual({ id: 'aicRedisLocal01', name: 'Redis (local)', type: 'redis' });
	});

	it('reads the default REDIS_URL as the local Redis, database 0, no TLS', () => {
		expect(runLocal.redisCredentialFromUrl('redis://127.0.0.1:6379')).toEqual({
			host: '127.0.0.1',
			port: 6379,
			user: '',
			password: '',
			database: 0,
			ssl: false,
			disableTlsVerification: false,
		});
	});

	it('reads user, password (percent-decoded), database and rediss as SSL; the description leaves the password out', () => {
		const redis = runLocal.redisCredentialFromUrl('rediss://ops:p%40ss%3Aw0rd@cache.example.com:6380/3');
		expect(redis).toEqual({
			host: 'cache.example.com',
			port: 6380,
			user: 'ops',
			password: 'p@ss:w0rd',
			database: 3,
			ssl: true,
			disableTlsVerification: false,
		});
		const described = runLocal.describeRedis(redis);
		expect(described).toBe('rediss://ops@cache.example.com:6380/3 with a password');
		expect(described).not.toContain('w0rd');
	});

	it('takes a password without a user, the default port, and an IPv6 host', () => {
		expect(runLocal.redisCredentialFromUrl('redis://:secret@[::1]/2')).toMatchObject({ host: '::1', port: 6379, user: '', password: 'secret', database: 2 });
		expect(runLocal.describeRedis(runLocal.redisCredentialFromUrl('redis://[::1]'))).toBe('redis://[::1]:6379/0');
	});

	it('refuses what is not a Redis URL, saying what it expects', () => {
		expect(() => runLocal.redisCredentialFromUrl('127.0.0.1:6379')).toThrow(/redis:\/\/ or rediss:\/\/|not a URL/);
		expect(() => runLocal.redisCredentialFromUrl('http://127.0.0.1:6379')).toThrow('REDIS_URL must start with redis:// or rediss://');
		expect(() => runLocal.redisCredentialFromUrl('redis://127.0.0.1:6379/cache')).toThrow('database must be a number, got "cache"');
	});
});
