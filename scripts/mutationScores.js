// Prints StrykerJS's score per runtime folder from reports/mutation/mutation.json as a markdown
// table (the README shows the latest one): killed + timed out, over all mutants that ran.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const report = JSON.parse(readFileSync(join(__dirname, '..', 'reports', 'mutation', 'mutation.json'), 'utf8'));
const byFolder = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
	const folder = file.split('/').slice(0, 2).join('/');
	const row = byFolder.get(folder) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
	for (const mutant of mutants) {
		if (mutant.status === 'Killed') row.killed++;
		else if (mutant.status === 'Timeout') row.timeout++;
		else if (mutant.status === 'Survived') row.survived++;
		else if (mutant.status === 'NoCoverage') row.noCoverage++;
		else row.other++;
	}
	byFolder.set(folder, row);
}
console.log('| folder | killed | timed out | survived | no coverage | score |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [folder, r] of [...byFolder].sort()) {
	const detected = r.killed + r.timeout;
	const valid = detected + r.survived + r.noCoverage;
	console.log(`| ${folder} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${valid ? ((100 * detected) / valid).toFixed(1) : '-'} % |`);
}
