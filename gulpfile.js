// Copies what tsc does not: node/credential icons (SVG/PNG) and codex files (*.node.json) into dist/.
const path = require('path');
const { task, src, dest } = require('gulp');

task('build:assets', copyAssets);

function copyAssets() {
	const sources = [
		path.resolve('nodes', '**', '*.{png,svg}'),
		path.resolve('nodes', '**', '*.node.json'),
		path.resolve('credentials', '**', '*.{png,svg}'),
	];
	return src(sources, { base: '.', encoding: false }).pipe(dest('dist'));
}
