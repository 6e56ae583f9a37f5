import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Reading docker-compose.yml and .env.example the way Docker Compose does, for the tests beside
// this file (Compose itself is not installed on every machine that runs them).

export const REPO = join(__dirname, '../../..');
export const COMPOSE_FILE = join(REPO, 'docker-compose.yml');

export interface Service {
	build?: string | { context?: string; dockerfile?: string; target?: string };
	image?: string;
	command?: string | string[];
	entrypoint?: string | string[];
	environment?: Record<string, string | number | boolean | null> | string[];
	env_file?: string | Array<string | { path: string; required?: boolean }>;
	volumes?: Array<string | { type?: string; source?: string; target?: string }>;
	depends_on?: string[] | Record<string, { condition: string; required?: boolean }>;
	healthcheck?: { test?: string | string[]; disable?: boolean };
	profiles?: string[];
	restart?: string;
	working_dir?: string;
	[key: string]: unknown;
}

export interface ComposeFile {
	name?: string;
	services: Record<string, Service>;
	volumes?: Record<string, unknown>;
	[key: string]: unknown;
}

export function composeText(): string {
	return readFileSync(COMPOSE_FILE, 'utf8');
}

/** The compose file as YAML, with merge keys (`<<: *runtime`) applied as Compose applies them. */
export function parseCompose(text = composeText()): ComposeFile {
	return parse(text, { merge: true, maxAliasCount: 100 }) as ComposeFile;
}

/** NAME=value lines of an env file (comments and blank lines skipped; no quotes are used in ours). */
export function readEnvFile(path: string): Map<string, string> {
	const vars = new Map<string, string>();
	for (const line of readFileSync(path, 'utf8').split('\n')) {
		const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
		if (match) vars.set(match[1], match[2].trim());
	}
	return vars;
}

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, and $NAME;
// $$ is a literal dollar. (Compose's own syntax; nested expressions in defaults are not used here.)
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Every variable the text reads by interpolation, with the operator it is read with ('' when bare). */
export function variablesRead(text: string): Map<string, Set<string>> {
	const found = new Map<string, Set<string>>();
	for (const match of text.matchAll(VARIABLE)) {
		if (match[0] === '$$') continue;
		const name = match[1] ?? match[4];
		if (!found.has(name)) found.set(name, new Set());
		found.get(name)!.add(match[2] ?? '');
	}
	return found;
}

/** The text with every variable replaced as Compose would, from `env`; throws on a `:?`/`?` error. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
	return text.replace(VARIABLE, (whole, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
		if (whole === '$$') return '$$';
		const name = (braced ?? bare)!;
		const value = env[name];
		const set = value !== undefined;
		const nonEmpty = set && value !== '';
		switch (op) {
			case ':-':
				return nonEmpty ? value : arg!;
			case '-':
				return set ? value : arg!;
			case ':?':
				if (!nonEmpty) throw new Error(`${name}: ${arg}`);
				return value;
			case '?':
				if (!set) throw new Error(`${name}: ${arg}`);
				return value;
			case ':+':
				return nonEmpty ? arg! : '';
			case '+':
				return set ? arg! : '';
			default:
				return value ?? '';
		}
	});
}

/** A service's command or entrypoint as argv. */
export function argv(value: string | string[] | undefined): string[] {
	if (value === undefined) return [];
	return Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);
}

/** A service's environment as a record (list form `NAME=value` too). */
export function environmentOf(service: Service): Record<string, string> {
	const env = service.environment ?? {};
	if (Array.isArray(env)) {
		return Object.fromEntries(env.map((entry) => {
			const at = entry.indexOf('=');
			return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
		}));
	}
	return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

/** Build context and Dockerfile of a service built from this repository (paths relative to the repo), or null. */
export function buildOf(service: Service): { context: string; dockerfile: string } | null {
	if (service.build === undefined) return null;
	const build = typeof service.build === 'string' ? { context: service.build } : service.build;
	const context = build.context ?? '.';
	return { context, dockerfile: join(context, build.dockerfile ?? 'Dockerfile') };
}

export interface DockerfileStage {
	from: string;
	name?: string;
	workdir?: string;
	/** COPY/ADD without --from: sources in the build context, and the destination. */
	copies: Array<{ sources: string[]; dest: string; from?: string }>;
}

/** The stages of a Dockerfile: FROM, WORKDIR and COPY lines (continuations joined, comments dropped). */
export function dockerfileStages(text: string): DockerfileStage[] {
	const lines = text.replace(/\\\r?\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
	const stages: DockerfileStage[] = [];
	for (const line of lines) {
		const [instruction, ...rest] = line.split(/\s+/);
		const upper = instruction.toUpperCase();
		if (upper === 'FROM') {
			const asAt = rest.findIndex((w) => w.toUpperCase() === 'AS');
			stages.push({ from: rest.filter((w) => !w.startsWith('--'))[0], name: asAt >= 0 ? rest[asAt + 1] : undefined, copies: [] });
		} else if (upper === 'WORKDIR') {
			stages[stages.length - 1].workdir = rest.join(' ');
		} else if (upper === 'COPY' || upper === 'ADD') {
			const from = rest.find((w) => w.startsWith('--from='))?.slice('--from='.length);
			const words = rest.filter((w) => !w.startsWith('--'));
			stages[stages.length - 1].copies.push({ sources: words.slice(0, -1), dest: words[words.length - 1], from });
		}
	}
	return stages;
}
