import type { JSONSchemaType } from 'ajv';

/**
 * passed: tests ran and all passed. failed: tests ran and some failed. error: the tests could not
 * run (no runner, no tests found, a test file that does not load). timeout: killed at the time limit.
 */
export const TEST_STATUSES = ['passed', 'failed', 'error', 'timeout'] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

export type TestFailure = {
	/** The test's name; nested tests as "suite > test", a file that did not load as its path. */
	test: string;
	message: string;
};

/** What the sandbox actually enforced for a run: `true` means blocked. */
export type SandboxIsolation = {
	sandbox: 'bubblewrap' | 'process';
	/** true = the tests could not reach any network, loopback included. */
	network: boolean;
	/** true = the tests could not write outside the workspace (and their private temp folder). */
	writesOutsideWorkspace: boolean;
};

// Types rather than interfaces, so a TestReport is assignable to the store's free-form
// `Record<string, unknown>` test report.
/** The AI Tester's report of one test run, as runtime/sandbox/runners.ts produces it. */
export type TestReport = {
	status: TestStatus;
	passed: number;
	failed: number;
	durationMs: number;
	/** The runner's combined stdout and stderr, trimmed; head and tail kept when over the cap. */
	output: string;
	failures: TestFailure[];
	/** "node", "pytest", "unittest" or "custom". */
	runner: string;
	command: string[];
	isolation: SandboxIsolation;
};

const count = { type: 'integer', minimum: 0 } as const;

export const sandboxIsolationSchema: JSONSchemaType<SandboxIsolation> = {
	type: 'object',
	properties: {
		sandbox: { type: 'string', enum: ['bubblewrap', 'process'] },
		network: { type: 'boolean' },
		writesOutsideWorkspace: { type: 'boolean' },
	},
	required: ['sandbox', 'network', 'writesOutsideWorkspace'],
	additionalProperties: false,
};

export const testReportSchema: JSONSchemaType<TestReport> = {
	type: 'object',
	properties: {
		status: { type: 'string', enum: [...TEST_STATUSES] },
		passed: count,
		failed: count,
		durationMs: { type: 'number', minimum: 0 },
		output: { type: 'string' },
		failures: {
			type: 'array',
			items: {
				type: 'object',
				properties: { test: { type: 'string' }, message: { type: 'string' } },
				required: ['test', 'message'],
				additionalProperties: false,
			},
		},
		runner: { type: 'string', minLength: 1 },
		command: { type: 'array', items: { type: 'string' } },
		isolation: sandboxIsolationSchema,
	},
	required: ['status', 'passed', 'failed', 'durationMs', 'output', 'failures', 'runner', 'command', 'isolation'],
	additionalProperties: false,
};
