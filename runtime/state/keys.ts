import { DEFAULT_KEY_PREFIX } from '../config/defaults';
import { PROJECT_STATUSES, type ProjectStatus } from '../contracts/project';
import { InvalidInputError } from '../errors';

/**
 * Redis key layout of the project store. Every key starts with one prefix (default `aic:`), so
 * several installations can share a Redis database and one can be removed by prefix.
 *
 * | Key                              | Type   | Holds                                                           |
 * |----------------------------------|--------|-----------------------------------------------------------------|
 * | `aic:project:<id>`               | hash   | `version` (integer as text) and `data` (the project as JSON)     |
 * | `aic:project:<id>:events`        | stream | the event log, oldest first; fields `time`, `type`, `source`,    |
 * |                                  |        | `version` (when the event came with a change), `data` (JSON);    |
 * |                                  |        | capped with `XADD MAXLEN ~` (default about 10,000 entries)       |
 * | `aic:project:<id>:run`          | string | the service's run record (JSON): mode, retry round, settings      |
 * | `aic:idem:<idempotencyKey>`      | string | the id of the project created with that key                     |
 * | `aic:index:all`                  | zset   | every project that is not deleted, archived ones included       |
 * | `aic:index:active`               | zset   | projects not archived and not `completed` or `cancelled`        |
 * | `aic:index:status:<status>`      | zset   | projects not archived whose status is `<status>`                |
 * | `aic:ui:session:<sha256>`        | string | a dashboard sign-in (runtime/ui/sessions.ts), by the SHA-256 of  |
 * |                                  |        | its cookie value; expires on its own                             |
 *
 * Index members are project ids scored by creation time (ms since the epoch), so listings come
 * newest first from ZREVRANGE and totals from ZCARD without KEYS or SCAN.
 *
 * Every write goes through a Lua script that changes the project hash, its index entries and its
 * event log together, so readers never see one without the other.
 */
export class StoreKeys {
	readonly prefix: string;

	constructor(prefix = DEFAULT_KEY_PREFIX) {
		if (typeof prefix !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(prefix)) {
			throw new InvalidInputError('prefix', `must be 1-100 visible ASCII characters without spaces, got ${JSON.stringify(prefix)}`);
		}
		this.prefix = prefix;
	}

	project(id: string): string {
		return `${this.prefix}project:${id}`;
	}

	events(id: string): string {
		return `${this.project(id)}:events`;
	}

	/** How the service runs the project (mode, retry round, settings): runtime/state/projectRuns.ts. */
	run(id: string): string {
		return `${this.project(id)}:run`;
	}

	idempotency(key: string): string {
		return `${this.prefix}idem:${key}`;
	}

	get allIndex(): string {
		return `${this.prefix}index:all`;
	}

	get activeIndex(): string {
		return `${this.prefix}index:active`;
	}

	statusIndex(status: ProjectStatus): string {
		return `${this.prefix}index:status:${status}`;
	}

	/** A dashboard sign-in, by the SHA-256 (hex) of its cookie value: the cookie itself is never stored. */
	uiSession(digest: string): string {
		return `${this.prefix}ui:session:${digest}`;
	}

	/** Every index a project can be in, for removing it from all of them. */
	get everyIndex(): string[] {
		return [this.allIndex, this.activeIndex, ...PROJECT_STATUSES.map((s) => this.statusIndex(s))];
	}
}
