// Prints StrykerJS's score per runtime folder as a markdown table (the README shows the latest
// one): killed + timed out, over all mutants that ran. Reads the reports named on the command
// line, or else every reports/mutation/*.json; runs of one folder at a time (`--mutate`, the json
// copied to reports/mutation/<folder>.json) add up, and for a file in several reports the newest
// report counts.
const { readFileSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dir = join(__dirname, '..', 'reports', 'mutation');
const named = process.argv.slice(2);
const reports = (named.length ? named : readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f)))
	.map((path) => ({ path, time: statSync(path).mtimeMs }))
	.sort((a, b) => a.time - b.time);

const files = new Map();
for (const { path } of reports) {
	for (const [file, result] of Object.entries(JSON.parse(readFileSync(path, 'utf8')).files)) files.set(file, result);
}

const byFolder = new Map();
for (const [file, { mutants }] of files) {
	const folder = file.split('/').slice(0, 2).join('/');
	const row = byFolder.get(folder) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0, files: 0 };
	row.files++;
	for (const mutant of mutants) {
		if (mutant.status === 'Killed') row.killed++;
		else if (mutant.status === 'Timeout') row.timeout++;
		else if (mutant.status === 'Survived') row.survived++;
		else if (mutant.status === 'NoCoverage') row.noCoverage++;
		else row.other++;
	}
	byFolder.set(folder, row);
}
console.log('| folder | files | killed | timed out | survived | no coverage | score |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [folder, r] of [...byFolder].sort()) {
	const detected = r.killed + r.timeout;
	const valid = detected + r.survived + r.noCoverage;
	console.log(`| ${folder} | ${r.files} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${valid ? ((100 * detected) / valid).toFixed(1) : '-'} % |`);
}
