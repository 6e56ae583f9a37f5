// Copies what tsc does not: node and credential icons, and the prompt templates and Lua scripts the runtime reads.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

function copyRuntimeAssets() {
	return src(['runtime/prompts/*.hbs', 'runtime/state/lua/*.lua'], { base: '.' }).pipe(dest('dist'));
}

exports.build = parallel(copyIcons, copyRuntimeAssets);
exports.default = exports.build;
