import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { ENVIRONMENT, environmentHelp, loadConfig } from '../../../runtime/config/environment';
import { InvalidInputError } from '../../../runtime/errors';

/** The InvalidInputError loadConfig throws for this environment; fails the test when it does not throw one. */
function refusal(env: NodeJS.ProcessEnv): InvalidInputError {
	try {
		loadConfig(env);
	} catch (error) {
		if (error instanceof InvalidInputError) return error;
		throw new Error(`expected an InvalidInputError, got ${String(error)}`);
	}
	throw new Error(`expected loadConfig to refuse ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
	describe('defaults', () => {
		it('starts a loopback-only service on port 8000 when the environment is empty', () => {
			const config = loadConfig({});
			expect(config.port).toBe(8000);
			expect(config.host).toBe('127.0.0.1');
			expect(config.apiToken).toBeUndefined();
		});

		it('runs only 1 model call at a time, matching Ollama\'s own default, and twice as many jobs as model and test slots', () => {
			const config = loadConfig({ SANDBOX_PARALLEL: '2' });
			expect(config.ollamaNumParallel).toBe(1);
			expect(config.concurrency).toBe(6);
		});

		it('runs enough jobs by default to keep a 32-slot model server busy while tasks wait for test runs', () => {
			expect(loadConfig({ OLLAMA_NUM_PARALLEL: '32', SANDBOX_PARALLEL: '2' }).concurrency).toBe(68);
			expect(loadConfig({ OLLAMA_NUM_PARALLEL: '32', SANDBOX_PARALLEL: '2', CONCURRENCY: 'auto' }).concurrency).toBe(68);
		});

		it('counts one test slot per CPU core when SANDBOX_PARALLEL is left at 0', () => {
			expect(loadConfig({ OLLAMA_NUM_PARALLEL: '8' }).concurrency).toBe(2 * (8 + availableParallelism()));
		});

		it('keeps the automatic concurrency between 4 and the 1000 an explicit value may have', () => {
			expect(loadConfig({ SANDBOX_PARALLEL: '1' }).concurrency).toBe(4);
			expect(loadConfig({ OLLAMA_NUM_PARALLEL: '512', SANDBOX_PARALLEL: '1000' }).concurrency).toBe(1000);
		});

		it('counts the slots of every configured provider, and only of those', () => {
			const openai = { OPENAI_BASE_URL: 'http://127.0.0.1:8001/v1', OPENAI_NUM_PARALLEL: '32', SANDBOX_PARALLEL: '2' };
			expect(loadConfig(openai).concurrency).toBe(2 * (1 + 32 + 2));
			expect(loadConfig({ ...openai, OPENAI_BASE_URL: '' }).concurrency).toBe(2 * (1 + 2));
			expect(loadConfig({ ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTHROPIC_NUM_PARALLEL: '10', SANDBOX_PARALLEL: '2' }).concurrency).toBe(2 * (1 + 10 + 2));
		});

		it('lets an explicit CONCURRENCY win over the slot counts', () => {
			expect(loadConfig({ CONCURRENCY: '3', OLLAMA_NUM_PARALLEL: '32', SANDBOX_PARALLEL: '2' }).concurrency).toBe(3);
		});

		it('gives each task 3 developer turns by default', () => {
			expect(loadConfig({}).maxFixAttempts).toBe(3);
		});

		it('picks a default model for every role', () => {
			expect(loadConfig({}).models).toEqual({ planner: 'llama3.2:3b', developer: 'qwen2.5-coder:7b', tester: 'qwen2.5-coder:7b', reviewer: 'qwen2.5-coder:7b', reporter: 'llama3.2:3b' });
		});

		it("writes reports with the planner's default model, but not with a MODEL_PLANNER that was set", () => {
			expect(loadConfig({ MODEL_PLANNER: 'mistral:7b' }).models).toMatchObject({ planner: 'mistral:7b', reporter: 'llama3.2:3b' });
			expect(loadConfig({ MODEL_REPORTER: 'gemma3:4b' }).models).toMatchObject({ planner: 'llama3.2:3b', reporter: 'gemma3:4b' });
		});

		it('talks to a local Redis and a local Ollama by default', () => {
			const config = loadConfig({});
			expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
			expect(config.ollamaHost).toBe('http://127.0.0.1:11434');
			expect(config.keyPrefix).toBe('aic:');
		});

		it('converts second-valued variables to milliseconds', () => {
			const config = loadConfig({ LLM_TIMEOUT_SECONDS: '2', TEST_TIMEOUT_SECONDS: '3' });
			expect(config.llmTimeoutMs).toBe(2000);
			expect(config.testTimeoutMs).toBe(3000);
		});

		it('publishes nowhere unless a remote base or GitHub token is given', () => {
			const config = loadConfig({});
			expect(config.gitRemoteBase).toBeUndefined();
			expect(config.githubToken).toBeUndefined();
		});

		it('treats a variable set to the empty string like an unset one', () => {
			const config = loadConfig({ PORT: '', CONCURRENCY: '', API_TOKEN: '', SANDBOX_PARALLEL: '2' });
			expect(config).toMatchObject({ port: 8000, concurrency: 6 });
			expect(config.apiToken).toBeUndefined();
		});
	});

	describe('accepted values', () => {
		it('reads whole numbers and model names from their variables', () => {
			const config = loadConfig({ PORT: '9000', CONCURRENCY: '12', OLLAMA_NUM_PARALLEL: '2', MAX_FIX_ATTEMPTS: '5', MODEL_DEVELOPER: 'codestral:22b' });
			expect(config).toMatchObject({ port: 9000, concurrency: 12, ollamaNumParallel: 2, maxFixAttempts: 5 });
			expect(config.models).toEqual({ planner: 'llama3.2:3b', developer: 'codestral:22b', tester: 'qwen2.5-coder:7b', reviewer: 'qwen2.5-coder:7b', reporter: 'llama3.2:3b' });
		});

		it('accepts an OLLAMA_HOST without a scheme, as Ollama itself does, as http://', () => {
			expect(loadConfig({ OLLAMA_HOST: 'gpu-box:11434' }).ollamaHost).toBe('http://gpu-box:11434');
		});

		it('keeps an explicit https OLLAMA_HOST and drops its trailing slash', () => {
			expect(loadConfig({ OLLAMA_HOST: 'https://ollama.example.com/' }).ollamaHost).toBe('https://ollama.example.com');
		});

		it('accepts rediss:// for a TLS Redis', () => {
			expect(loadConfig({ REDIS_URL: 'rediss://redis.example.com:6380/2' }).redisUrl).toBe('rediss://redis.example.com:6380/2');
		});

		it('keeps a valid GIT_REMOTE_BASE without its trailing slash', () => {
			expect(loadConfig({ GIT_REMOTE_BASE: 'ssh://git@git.example.com/clients/' }).gitRemoteBase).toBe('ssh://git@git.example.com/clients');
		});

		it('accepts an 8-character API_TOKEN and GITHUB_TOKEN', () => {
			const config = loadConfig({ API_TOKEN: 'abcdefgh', GITHUB_TOKEN: 'ghp_1234' });
			expect(config.apiToken).toBe('abcdefgh');
			expect(config.githubToken).toBe('ghp_1234');
		});
	});

	describe('refusals name the variable and say what was wrong', () => {
		it('refuses a PORT that is not a number', () => {
			const error = refusal({ PORT: 'abc' });
			expect(error.field).toBe('PORT');
			expect(error.message).toMatch(/whole number/);
			expect(error.message).toContain('"abc"');
		});

		it('refuses a PORT above 65535', () => {
			const error = refusal({ PORT: '70000' });
			expect(error.field).toBe('PORT');
			expect(error.message).toMatch(/between 0 and 65535/);
			expect(error.message).toContain('70000');
		});

		it('refuses a fractional number', () => {
			const error = refusal({ CONCURRENCY: '1.5' });
			expect(error.field).toBe('CONCURRENCY');
			expect(error.message).toMatch(/whole number/);
		});

		it('refuses a CONCURRENCY that is neither auto nor a number, naming both', () => {
			const error = refusal({ CONCURRENCY: 'many' });
			expect(error.field).toBe('CONCURRENCY');
			expect(error.message).toMatch(/must be auto or a whole number/);
		});

		it('refuses CONCURRENCY=0, since a worker must run at least one job', () => {
			const error = refusal({ CONCURRENCY: '0' });
			expect(error.field).toBe('CONCURRENCY');
			expect(error.message).toMatch(/between 1 and 1000/);
		});

		it('refuses OLLAMA_NUM_PARALLEL=0 and MAX_FIX_ATTEMPTS=0', () => {
			expect(refusal({ OLLAMA_NUM_PARALLEL: '0' }).field).toBe('OLLAMA_NUM_PARALLEL');
			expect(refusal({ MAX_FIX_ATTEMPTS: '0' }).field).toBe('MAX_FIX_ATTEMPTS');
		});

		it('refuses a REDIS_URL that is not redis:// or rediss://', () => {
			const error = refusal({ REDIS_URL: 'http://x' });
			expect(error.field).toBe('REDIS_URL');
			expect(error.message).toMatch(/redis: or rediss:/);
		});

		it('refuses a REDIS_URL that is not a URL at all', () => {
			const error = refusal({ REDIS_URL: 'not a url' });
			expect(error.field).toBe('REDIS_URL');
			expect(error.message).toMatch(/must be a URL/);
		});

		it('refuses an OLLAMA_HOST with a scheme other than http(s)', () => {
			const error = refusal({ OLLAMA_HOST: 'ftp://ollama:11434' });
			expect(error.field).toBe('OLLAMA_HOST');
			expect(error.message).toMatch(/http: or https:/);
		});

		it('refuses a SANDBOX it does not know', () => {
			const error = refusal({ SANDBOX: 'docker' });
			expect(error.field).toBe('SANDBOX');
			expect(error.message).toMatch(/auto, bubblewrap, process/);
			expect(error.message).toContain('"docker"');
		});

		it('refuses a SANDBOX_PARALLEL that is not a whole number, and takes 0 as one per core', () => {
			const error = refusal({ SANDBOX_PARALLEL: '1.5' });
			expect(error.field).toBe('SANDBOX_PARALLEL');
			expect(refusal({ SANDBOX_PARALLEL: '-1' }).field).toBe('SANDBOX_PARALLEL');
		});

		it('refuses an unknown LOG_LEVEL', () => {
			expect(refusal({ LOG_LEVEL: 'verbose' }).field).toBe('LOG_LEVEL');
		});

		it('refuses an API_TOKEN shorter than 8 characters without echoing it', () => {
			const error = refusal({ API_TOKEN: 'short' });
			expect(error.field).toBe('API_TOKEN');
			expect(error.message).toMatch(/at least 8/);
			expect(error.message).not.toContain('short');
		});

		it('refuses an API_TOKEN with a space in it', () => {
			expect(refusal({ API_TOKEN: 'abcd efgh' }).field).toBe('API_TOKEN');
		});

		it('names GITHUB_TOKEN, not API_TOKEN, when the GitHub token is too short', () => {
			const error = refusal({ GITHUB_TOKEN: 'ghp_1' });
			expect(error.field).toBe('GITHUB_TOKEN');
			expect(error.message).toMatch(/^GITHUB_TOKEN: /);
			expect(error.message).not.toContain('ghp_1');
		});

		it('refuses a GIT_REMOTE_BASE that git would read as an option', () => {
			const error = refusal({ GIT_REMOTE_BASE: '-oProxyCommand=x' });
			expect(error.field).toBe('GIT_REMOTE_BASE');
			expect(error.message).toMatch(/absolute path/);
		});

		it('refuses a GIT_REMOTE_BASE that uses a git helper transport', () => {
			const error = refusal({ GIT_REMOTE_BASE: 'ext::sh -c x' });
			expect(error.field).toBe('GIT_REMOTE_BASE');
		});

		it('refuses a GIT_REMOTE_BASE carrying credentials', () => {
			const error = refusal({ GIT_REMOTE_BASE: 'https://user:secret@git.example.com/clients' });
			expect(error.field).toBe('GIT_REMOTE_BASE');
			expect(error.message).toMatch(/credentials/);
			expect(error.message).not.toContain('secret');
		});

		it('refuses a text variable set to spaces only', () => {
			const error = refusal({ MODEL_PLANNER: '   ' });
			expect(error.field).toBe('MODEL_PLANNER');
			expect(error.message).toMatch(/empty/);
		});

		it('refuses a KEY_PREFIX with a space', () => {
			expect(refusal({ KEY_PREFIX: 'my app:' }).field).toBe('KEY_PREFIX');
		});
	});

	describe('listening beyond loopback', () => {
		it('refuses HOST=0.0.0.0 without an API_TOKEN, naming HOST and API_TOKEN', () => {
			const error = refusal({ HOST: '0.0.0.0' });
			expect(error.field).toBe('HOST');
			expect(error.message).toContain('0.0.0.0');
			expect(error.message).toContain('API_TOKEN');
		});

		it('accepts HOST=0.0.0.0 once an API_TOKEN is set', () => {
			const config = loadConfig({ HOST: '0.0.0.0', API_TOKEN: 'a-long-enough-token' });
			expect(config.host).toBe('0.0.0.0');
			expect(config.apiToken).toBe('a-long-enough-token');
		});

		it.each(['localhost', '::1', '127.0.0.2'])('accepts loopback HOST=%s without an API_TOKEN', (host) => {
			expect(loadConfig({ HOST: host }).host).toBe(host);
		});
	});
});

describe('environmentHelp', () => {
	const help = environmentHelp();
	const lines = help.split('\n');

	it('lists every variable the service reads, one per line, in ENVIRONMENT order', () => {
		expect(lines).toHaveLength(ENVIRONMENT.length);
		ENVIRONMENT.forEach((variable, index) => expect(lines[index].trim().startsWith(`${variable.name} `)).toBe(true));
	});

	it('shows each default, and (unset) for the optional variables', () => {
		expect(help).toMatch(/PORT +.*\[default 8000\]/);
		expect(help).toMatch(/API_TOKEN +.*\[\(unset\)\]/);
		expect(help).toMatch(/GIT_REMOTE_BASE +.*\[\(unset\)\]/);
	});

	it('keeps documenting the variables operators set most', () => {
		for (const name of ['REDIS_URL', 'OLLAMA_HOST', 'PORT', 'HOST', 'API_TOKEN', 'CONCURRENCY', 'OLLAMA_NUM_PARALLEL', 'MAX_FIX_ATTEMPTS', 'SANDBOX', 'GITHUB_TOKEN', 'GIT_REMOTE_BASE']) {
			expect(help).toContain(name);
		}
	});
});

describe('OLLAMA_HOST written the way Ollama itself reads it', () => {
	it.each([
		['127.0.0.1', 'http://127.0.0.1:11434'],
		['gpu-box', 'http://gpu-box:11434'],
		[':11434', 'http://127.0.0.1:11434'],
		['10.0.0.5:9999', 'http://10.0.0.5:9999'],
	])('reads %j as %s (port 11434 when none is given, never 80)', (value, expected) => {
		expect(loadConfig({ OLLAMA_HOST: value }).ollamaHost).toBe(expected);
	});
});

describe('refused URLs never print their password', () => {
	it('shows REDIS_URL without the password it carried', () => {
		const error = refusal({ REDIS_URL: 'http://user:hunter2@redis:6379' });
		expect(error.field).toBe('REDIS_URL');
		expect(error.message).not.toContain('hunter2');
		expect(error.message).toContain('//***@redis:6379');
	});
});

describe('the README documents the service\'s configuration', () => {
	it('has a row for every environment variable the service reads, with its default', () => {
		const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
		const missing = ENVIRONMENT.filter((v) => !readme.includes(`| \`${v.name}\` | ${v.default === undefined ? '—' : `\`${v.default}\``} |`)).map((v) => v.name);
		expect(missing).toEqual([]);
	});
});
