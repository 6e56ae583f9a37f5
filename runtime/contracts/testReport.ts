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

/** Limits set on each process of a run (per process, not shared); null = not set. The sandbox always fills every field. */
export type SandboxLimits = {
	/** RLIMIT_DATA: heap and private writable memory. */
	memoryBytes?: number | null;
	/** RLIMIT_NPROC: processes and threads of the run's uid (only set when the run has a uid or a user namespace of its own). */
	processes?: number | null;
	/** RLIMIT_CPU: CPU seconds. */
	cpuSeconds?: number | null;
	/** RLIMIT_FSIZE: the largest file it may write. */
	fileSizeBytes?: number | null;
	/** RLIMIT_NOFILE: open files. */
	openFiles?: number | null;
};

/** What the sandbox actually enforced for a run: for the booleans, `true` means blocked. */
export type SandboxIsolation = {
	sandbox: 'bubblewrap' | 'process';
	/** true = the tests could not reach any network, loopback included. */
	network: boolean;
	/** true = the tests could not write outside the workspace (and their private temp folder). */
	writesOutsideWorkspace: boolean;
	/** true = the tests could not read this process's environment (its secrets) through /proc, nor signal it. Absent in reports from before it was recorded. */
	parentEnvironment?: boolean;
	/** true = every process the tests started was gone at the end, whatever session or group it had made; false = best effort. */
	processTree?: boolean;
	/** The uid the tests ran as, as this machine sees it (inside a user namespace they may see another). */
	uid?: number;
	limits?: SandboxLimits;
	/** true = a command that neither bubblewrap nor Node's permission model confines ran, because the operator allowed it ("process-unconfined"). */
	unconfined?: boolean;
	/** Why the run got less than bubblewrap with a uid of its own: bwrap missing or failing (its error), the process sandbox asked for, not root, an interpreter another uid cannot reach. */
	fallbackReason?: string;
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

export const sandboxLimitsSchema: JSONSchemaType<SandboxLimits> = {
	type: 'object',
	properties: {
		memoryBytes: { type: 'integer', minimum: 0, nullable: true },
		processes: { type: 'integer', minimum: 0, nullable: true },
		cpuSeconds: { type: 'integer', minimum: 0, nullable: true },
		fileSizeBytes: { type: 'integer', minimum: 0, nullable: true },
		openFiles: { type: 'integer', minimum: 0, nullable: true },
	},
	required: [],
	additionalProperties: false,
};

export const sandboxIsolationSchema: JSONSchemaType<SandboxIsolation> = {
	type: 'object',
	properties: {
		sandbox: { type: 'string', enum: ['bubblewrap', 'process'] },
		network: { type: 'boolean' },
		writesOutsideWorkspace: { type: 'boolean' },
		parentEnvironment: { type: 'boolean', nullable: true },
		processTree: { type: 'boolean', nullable: true },
		uid: { type: 'integer', minimum: 0, nullable: true },
		limits: { ...sandboxLimitsSchema, nullable: true },
		unconfined: { type: 'boolean', nullable: true },
		fallbackReason: { type: 'string', nullable: true },
	},
	// The fields after these came later: reports stored before them stay valid.
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
