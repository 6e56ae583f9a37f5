/** Lines compared at most (before × after); past it the diff says the file was rewritten. */
const MAX_CELLS = 4_000_000;
/** Unchanged lines shown around each change. */
const CONTEXT_LINES = 2;

/**
 * A unified-style diff of two texts, line by line: "@@ line N" before each hunk (N: the hunk's first
 * line in the new text), then " " for kept, "-" for removed and "+" for added lines. "" when the
 * texts are equal; a new file (before null) is every line added. Bounded: two very long files are
 * shown as removed and added whole rather than compared.
 */
export function lineDiff(before: string | null, after: string): string {
	if (before === after) return '';
	const a = before === null ? [] : splitLines(before);
	const b = splitLines(after);
	if (a.length * b.length > MAX_CELLS) return [`@@ line 1 (rewritten)`, ...a.map((l) => `-${l}`), ...b.map((l) => `+${l}`)].join('\n');
	return hunks(edits(a, b)).join('\n');
}

type Edit = { kind: ' ' | '-' | '+'; text: string; newLine: number };

function splitLines(text: string): string[] {
	const lines = text.split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines;
}

/** The edit script of a longest common subsequence, kept lines included. */
function edits(a: string[], b: string[]): Edit[] {
	const n = a.length;
	const m = b.length;
	// lcs[i][j]: the LCS length of a[i..] and b[j..], in one flat array.
	const lcs = new Uint32Array((n + 1) * (m + 1));
	for (let i = n - 1; i >= 0; i--) {
		for (let j = m - 1; j >= 0; j--) {
			lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
		}
	}
	const out: Edit[] = [];
	let i = 0;
	let j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && a[i] === b[j]) {
			out.push({ kind: ' ', text: a[i], newLine: j + 1 });
			i++;
			j++;
		} else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
			// Removed lines before added ones, as in a unified diff.
			out.push({ kind: '-', text: a[i], newLine: j + 1 });
			i++;
		} else {
			out.push({ kind: '+', text: b[j], newLine: j + 1 });
			j++;
		}
	}
	return out;
}

/** The changed lines with CONTEXT_LINES kept lines around them, each run of them headed by "@@ line N". */
function hunks(script: Edit[]): string[] {
	const show = new Array<boolean>(script.length).fill(false);
	script.forEach((edit, index) => {
		if (edit.kind === ' ') return;
		for (let k = Math.max(0, index - CONTEXT_LINES); k <= Math.min(script.length - 1, index + CONTEXT_LINES); k++) show[k] = true;
	});
	const lines: string[] = [];
	script.forEach((edit, index) => {
		if (!show[index]) return;
		if (index === 0 || !show[index - 1]) lines.push(`@@ line ${edit.newLine}`);
		lines.push(`${edit.kind}${edit.text}`);
	});
	return lines;
}
