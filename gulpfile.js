// Copies what tsc does not: the node and credential icons.
const { src, dest } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports.build = copyIcons;
exports.default = exports.build;
