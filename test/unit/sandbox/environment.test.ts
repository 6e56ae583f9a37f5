import { isSecretEnv, sandboxEnv, SECRET_ENV_NAME_PATTERNS } from '../../../runtime/sandbox/isolation';

// One row per rule of the scrubbing: a name it must drop, and the rule it is for.
const DROPPED: Array<[string, RegExp]> = [
	['MY_API_KEY', /KEY/i],
	['SLACK_TOKEN', /TOKEN/i],
	['CLIENT_SECRET', /SECRET/i],
	['DB_PASSWORD', /PASSW/i],
	['GPG_PASSPHRASE', /PASSPHRASE/i],
	['GOOGLE_APPLICATION_CREDENTIALS', /CREDENTIAL/i],
	['BASIC_AUTH', /AUTH/i],
	['COOKIE_JAR', /COOKIE/i],
	['SESSION_STORE', /SESSION/i],
	['PRIVATE_PEM', /PRIVATE/i],
	['DATABASE_URL', /DATABASE_URL|DB_URL|_DSN$|^DSN$|CONNECTION_STRING/i],
	['N8N_ENCRYPTION_KEY', /^N8N_/i],
	['OLLAMA_HOST', /^OLLAMA_/i],
	['REDIS_URL', /^REDIS_/i],
	['BULLMQ_PREFIX', /^BULLMQ_/i],
	['GITHUB_REPOSITORY', /^GITHUB_/i],
	['GH_HOST', /^GH_/i],
	['AWS_REGION', /^AWS_/i],
	['NPM_CONFIG_REGISTRY', /^NPM_CONFIG_/i],
	['PGHOST', /^(PG|MYSQL_|MONGO)/i],
];

describe('scrubbing the environment of a sandboxed command', () => {
	it('has a row here for every rule', () => {
		expect(new Set(DROPPED.map(([, rule]) => String(rule)))).toEqual(new Set(SECRET_ENV_NAME_PATTERNS.map(String)));
	});

	it.each(DROPPED)('drops %s (rule %s), whether the parent has it or the caller passes it', (name, rule) => {
		expect(SECRET_ENV_NAME_PATTERNS.map(String)).toContain(String(rule));
		expect(rule.test(name)).toBe(true);
		expect(isSecretEnv(name, 'x')).toBe(true);
		const saved = process.env[name];
		process.env[name] = 'parent-value';
		try {
			const env = sandboxEnv('/h', '/t', { [name]: 'caller-value' });
			expect(env[name]).toBeUndefined();
			expect(Object.values(env)).not.toContain('parent-value');
		} finally {
			if (saved === undefined) delete process.env[name];
			else process.env[name] = saved;
		}
	});

	it.each(['postgres://app:hunter2@db:5432/app', 'https://user:pw@example.test/x'])('drops any variable whose value is a URL with a password (%s)', (value) => {
		expect(sandboxEnv('/h', '/t', { SERVICE: value }).SERVICE).toBeUndefined();
	});

	it.each(['NODE_ENV', 'HARMLESS', 'BASE_URL', 'PORT'])('keeps a harmless variable the caller passes (%s)', (name) => {
		expect(sandboxEnv('/h', '/t', { [name]: 'http://localhost:3000' })[name]).toBe('http://localhost:3000');
	});

	it("passes the parent's PATH, locale and time zone, and the markers every run gets", () => {
		const names = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'] as const;
		const saved = names.map((name) => process.env[name]);
		Object.assign(process.env, { PATH: '/opt/tools/bin:/usr/bin', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', LC_CTYPE: 'de_DE.UTF-8', TZ: 'Europe/Berlin' });
		try {
			expect(sandboxEnv('/h', '/t')).toEqual({
				PATH: '/opt/tools/bin:/usr/bin',
				LANG: 'de_DE.UTF-8',
				LC_ALL: 'de_DE.UTF-8',
				LC_CTYPE: 'de_DE.UTF-8',
				TZ: 'Europe/Berlin',
				HOME: '/h',
				TMPDIR: '/t',
				USER: 'sandbox',
				LOGNAME: 'sandbox',
				CI: 'true',
				NO_COLOR: '1',
				PYTHONDONTWRITEBYTECODE: '1',
			});
		} finally {
			names.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i])));
		}
	});

	it('gives the system PATH and a UTF-8 locale when the parent has none', () => {
		const saved = { PATH: process.env.PATH, LANG: process.env.LANG };
		delete process.env.PATH;
		delete process.env.LANG;
		try {
			expect(sandboxEnv('/h', '/t')).toMatchObject({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' });
		} finally {
			for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
		}
	});

	it('passes nothing else of the parent environment, and sets a private HOME and TMPDIR', () => {
		process.env.SOMETHING_UNLISTED = 'x';
		try {
			const env = sandboxEnv('/h', '/t');
			expect(env.SOMETHING_UNLISTED).toBeUndefined();
			expect(env).toMatchObject({ HOME: '/h', TMPDIR: '/t', USER: 'sandbox' });
		} finally {
			delete process.env.SOMETHING_UNLISTED;
		}
	});
});
