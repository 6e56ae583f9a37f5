import { InvalidInputError } from '../errors';
import { parseRemote, RemoteProblem } from '../workspace/remotes';

/**
 * The shape of a remote base (the operator's own too, GIT_REMOTE_BASE and GIT_REMOTE_ALLOW): it ends
 * up as git's push target, so only http(s), ssh, file:/// URLs or an absolute path, never something
 * git or ssh could read as an option (`-…`, `ssh://-oProxyCommand=…`) or a helper transport
 * (`ext::…`), no `..` segment, and no credentials (they would be logged and stored).
 */
export function checkRemoteBase(value: string, field: string): string {
	try {
		parseRemote(value);
	} catch (error) {
		if (error instanceof RemoteProblem) throw new InvalidInputError(field, error.problem);
		throw error;
	}
	return value.replace(/\/+$/, '');
}
