/** Characters kept from the start and the end of a long model reply in an error. */
export const EXCERPT_HEAD_CHARS = 4000;
export const EXCERPT_TAIL_CHARS = 2000;

/**
 * The start and the end of `text` with what is between left out, so an error can keep a reply
 * (for the operator to look at) without keeping megabytes of it. Short text is returned as it is.
 */
export function excerpt(text: string, headChars = EXCERPT_HEAD_CHARS, tailChars = EXCERPT_TAIL_CHARS): string {
	if (text.length <= headChars + tailChars + 100) return text;
	let headEnd = headChars;
	// Never split a surrogate pair: a lone half is not valid Unicode.
	if (isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd--;
	let tailStart = text.length - tailChars;
	if (isHighSurrogate(text.charCodeAt(tailStart - 1))) tailStart++;
	return `${text.slice(0, headEnd)}\n… [${tailStart - headEnd} characters left out] …\n${text.slice(tailStart)}`;
}

function isHighSurrogate(code: number): boolean {
	return code >= 0xd800 && code <= 0xdbff;
}
