import Handlebars from 'handlebars';

/**
 * What a Custom Prompt Template hint ("… Variables: {{a}}, {{b.c}}; wrap untrusted text …") lists:
 * the list itself and the root names it gives (the first segment of a dotted name).
 */
export function hintedVariables(hint: string): { variablesPart: string; hintedNames: Set<string> } {
	const variablesPart = /Variables: (.*); wrap untrusted text/.exec(hint)?.[1] ?? '';
	return { variablesPart, hintedNames: new Set([...variablesPart.matchAll(/\{\{(\w+)(?:\.\w+)*\}\}/g)].map((m) => m[1])) };
}

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with', 'fence']);
const SCOPING_HELPERS = new Set(['each', 'with']);

/** The root-context variables a template reads: paths outside `#each`/`#with`, or reaching back to the root with `../`. */
export function rootVariables(source: string): Set<string> {
	const names = new Set<string>();
	const read = (node: hbs.AST.Node | undefined, depth: number): void => {
		if (node?.type === 'SubExpression') {
			const sub = node as hbs.AST.SubExpression;
			sub.params.forEach((p) => read(p, depth));
			return;
		}
		if (node?.type !== 'PathExpression') return;
		const path = node as hbs.AST.PathExpression;
		if (!path.data && path.original !== 'this' && path.parts.length && path.depth === depth) names.add(path.parts[0]);
	};
	const walk = (node: hbs.AST.Node | undefined, depth: number): void => {
		if (!node) return;
		if (node.type === 'Program') (node as hbs.AST.Program).body.forEach((s) => walk(s, depth));
		if (node.type === 'MustacheStatement') {
			const mustache = node as hbs.AST.MustacheStatement;
			const helper = (mustache.path as hbs.AST.PathExpression).original;
			if (!BLOCK_HELPERS.has(helper)) read(mustache.path, depth);
			mustache.params.forEach((p) => read(p, depth));
		}
		if (node.type === 'BlockStatement') {
			const block = node as hbs.AST.BlockStatement;
			block.params.forEach((p) => read(p, depth));
			walk(block.program, SCOPING_HELPERS.has((block.path as hbs.AST.PathExpression).original) ? depth + 1 : depth);
			walk(block.inverse, depth);
		}
	};
	walk(Handlebars.parse(source), 0);
	return names;
}

