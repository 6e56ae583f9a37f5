import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { packagingFiles, splitScript, UnknownLicenseError, type Packaging, type PackagingInput } from '../agents/devops';
import type { Delivery, DeliveryProof, Project } from '../contracts/project';
import type { TestReport } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { timePhase } from '../phaseTimes';
import { resolveSandbox } from '../sandbox/runInSandbox';
import { chooseRunner, pythonFor, runTests, type RunTestsOptions } from '../sandbox/runners';
import { cloneRepository } from '../workspace/git';
import { buildRepository, deliveryIsCurrent, lastFinish, repositoryFiles } from './buildRepository';
import type { StepContext } from './developerStep';

// DevOps's step: package the finished project (agents/devops: manifest, README, .gitignore, CI,
// Dockerfile, LICENSE) and prove it before the project may complete: the repository is built as it
// will be published (the tasks' commits, then the packaging commit), cloned with git into a fresh
// folder, and its own declared test command runs there in the sandbox, judged by a report file like
// every task's tests. A failed proof gets one fix round (the test script pinned to exactly the files
// the sandbox ran the tasks' tests with); the delivery is stored either way, verified or not.

export interface PackagingSettings {
	/** settings.license */
	license?: string;
	/** How the proof runs: the service's sandbox, test timeout and output cap. */
	run: Pick<RunTestsOptions, 'timeoutMs' | 'maxOutputBytes' | 'sandbox' | 'signal'>;
}

/** The end of a proof's output the delivery keeps. */
const PROOF_OUTPUT_CHARS = 4000;

/**
 * Packages `project` and proves the packaging from a clean clone; at most two proofs (the first,
 * and one after the fix round when the fix changes anything). `runProof` wraps each sandbox run
 * (a test slot).
 */
export async function packageAndProve(project: Project, settings: PackagingSettings, runProof: (run: () => Promise<TestReport>) => Promise<TestReport> = (run) => run()): Promise<Delivery> {
	const packagedAt = lastFinish(project);
	if (!packagedAt || !project.plan) throw new InvalidInputError('projectId', `project "${project.id}" has no finished task to package yet`);
	const files = repositoryFiles(project);
	const stack = chooseRunner(project.plan.techStack, files) === 'python' ? 'python' : 'node';
	const input: PackagingInput = {
		title: project.title,
		summary: project.plan.summary,
		techStack: project.plan.techStack,
		clientName: project.client.name,
		files,
		license: settings.license,
		packagedAt,
		nodeMajor: Number(process.versions.node.split('.')[0]),
		python: { version: '3', pytest: false },
	};
	let python = 'python3';
	if (stack === 'python') ({ executable: python, ...input.python } = await pythonOf(settings.run.sandbox));
	let packaging = packagingOf(input);
	let proof = await runProof(() => prove(project, packaging, packagedAt, settings, python));
	let rounds = 1;
	const notes = [...packaging.notes];
	if (proof.status !== 'passed') {
		const fixed = packagingOf({ ...input, pinned: true });
		if (JSON.stringify(fixed.files) !== JSON.stringify(packaging.files)) {
			notes.push(`fix round: the first proof ${verdictOf(proof)}; the test script now names exactly the test files the tasks' tests ran`);
			packaging = fixed;
			proof = await runProof(() => prove(project, packaging, packagedAt, settings, python));
			rounds = 2;
			notes.push(...fixed.notes.filter((note) => !notes.includes(note)));
		} else {
			notes.push('fix round: nothing in the packaging to change (the test command already runs exactly the tasks\' test files)');
		}
	}
	return {
		stack: packaging.stack,
		testCommand: packaging.testCommand,
		verified: proof.status === 'passed',
		files: packaging.files,
		notes,
		rounds,
		packagedAt,
		proof: proofOf(proof),
	};
}

export interface PackagedProject {
	project: Project;
	delivery: Delivery;
	/** false: the delivery stored already was current and proven; nothing ran. */
	ran: boolean;
}

/**
 * Packages the stored project unless its stored delivery is current and verified (a job repeated
 * after a crash proves nothing twice), and stores the delivery, verified or not.
 */
export async function packageStoredProject(context: StepContext, projectId: string, settings: PackagingSettings): Promise<PackagedProject> {
	const { store, source } = context;
	const project = await store.get(projectId);
	if (project.delivery?.verified && deliveryIsCurrent(project)) return { project, delivery: project.delivery, ran: false };
	const slot = (run: () => Promise<TestReport>) => timePhase('sandbox', () => (context.testSlots ? context.testSlots.run(run, context.signal, projectId) : run()));
	const delivery = await packageAndProve(project, { ...settings, run: { ...settings.run, signal: context.signal } }, slot);
	return { project: await store.setDelivery(projectId, delivery, { source }), delivery, ran: true };
}

/** Why a proof did not pass, in one line: the project's failure reason. */
export function deliveryFailure(delivery: Delivery): string {
	return `delivery not proven: \`${delivery.testCommand}\` in a clean clone of the repository ${verdictOf(delivery.proof)}${delivery.rounds > 1 ? ', also after the DevOps fix round' : ''}`;
}

function packagingOf(input: PackagingInput): Packaging {
	try {
		return packagingFiles(input);
	} catch (error) {
		if (error instanceof UnknownLicenseError) throw new InvalidInputError('settings.license', error.message);
		throw error;
	}
}

/** Builds the repository with the packaging commit, clones it, and runs its declared test command in the clone. */
async function prove(project: Project, packaging: Packaging, packagedAt: string, settings: PackagingSettings, python: string): Promise<TestReport> {
	const dir = await mkdtemp(join(tmpdir(), 'ai-company-delivery-'));
	try {
		const built = join(dir, 'built');
		const clone = join(dir, 'clone');
		await buildRepository(built, project, { branch: 'main', packaging: { files: packaging.files, packagedAt } });
		await cloneRepository(built, clone, { branch: 'main' });
		const command = await proofCommand(clone, packaging, settings, python);
		if ('problem' in command) return problemReport(command.problem);
		const report = await runTests(clone, { ...settings.run, ...(command.argv ? { command: command.argv } : { techStack: project.plan?.techStack ?? [] }) });
		return command.note ? { ...report, output: `${report.output}\n[delivery] ${command.note}`.trim() } : report;
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

type ProofCommand = { argv?: string[]; note?: string } | { problem: string };

/**
 * What the declared test command runs, read from the clone: `npm test` runs package.json's test
 * script, which the sandbox runs as argv (with its own reporter when it is `node --test`, so the
 * verdict comes from a report file). Without bubblewrap, Node's permission model forbids the child
 * process per file that `node --test` starts: there the test files run in one process, as a task's do.
 */
async function proofCommand(clone: string, packaging: Packaging, settings: PackagingSettings, python: string): Promise<ProofCommand> {
	// "python -m pytest": the Python the sandbox would run a task's tests with.
	if (packaging.stack === 'python') return { argv: [python, ...packaging.testCommand.split(' ').slice(1)] };
	let script: unknown;
	try {
		script = (JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts?.test;
	} catch (error) {
		return { problem: `the clone's package.json cannot be read: ${(error as Error).message}` };
	}
	if (typeof script !== 'string') return { problem: 'the clone\'s package.json has no test script' };
	const argv = splitScript(script);
	if (!argv) return { problem: `the test script ${JSON.stringify(script)} needs a shell; the proof runs plain commands only` };
	if (argv[0] === 'node' && argv.includes('--test') && (await resolveSandbox(settings.run.sandbox)) === 'process') {
		return { note: 'the process sandbox forbids the child processes `node --test` starts: the test files ran in one process' };
	}
	return { argv };
}

async function pythonOf(sandbox: PackagingSettings['run']['sandbox']): Promise<PackagingInput['python'] & { executable: string }> {
	const info = await pythonFor(sandbox);
	if (!info) return { version: '3', pytest: false, executable: 'python3' };
	const version = await new Promise<string>((resolve) => {
		execFile(info.executable, ['-E', '-s', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { timeout: 20_000 }, (error, stdout) => resolve(error ? '3' : String(stdout).trim() || '3'));
	});
	return { version, pytest: info.pytest, executable: info.executable };
}

function verdictOf(proof: { status: string; passed: number; failed: number; output: string }): string {
	if (proof.status === 'failed') return `failed: ${proof.failed} of ${proof.passed + proof.failed} tests failed`;
	if (proof.status === 'timeout') return 'timed out';
	const last = proof.output.trim().split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 300);
	return `${proof.status === 'error' ? 'could not run' : proof.status}${last ? `: ${last}` : ''}`;
}

function proofOf(report: TestReport): DeliveryProof {
	const output = report.output.length > PROOF_OUTPUT_CHARS ? `…${report.output.slice(-PROOF_OUTPUT_CHARS + 1)}` : report.output;
	return { status: report.status, passed: report.passed, failed: report.failed, command: report.command, runner: report.runner, durationMs: Math.round(report.durationMs), output };
}

function problemReport(problem: string): TestReport {
	return { status: 'error', passed: 0, failed: 0, durationMs: 0, output: problem, failures: [], runner: 'none', command: [], isolation: { sandbox: 'process', network: false, writesOutsideWorkspace: false } };
}
