/**
 * `text` with the user and password (or token) of every URL in it taken out: `http://user:pw@host`
 * becomes `http://host`. What the service shows, stores or logs (errors, health, pages) never
 * carries a credential a configured or delivered URL holds.
 */
export function withoutUrlCredentials(text: string): string {
	return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1');
}
