// Copies what tsc does not: node and credential icons, and the prompt templates the runtime reads.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

function copyPromptTemplates() {
	return src('runtime/prompts/*.hbs', { base: '.' }).pipe(dest('dist'));
}

exports.build = parallel(copyIcons, copyPromptTemplates);
exports.default = exports.build;
