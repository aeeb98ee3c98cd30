/**
 * `npm run scan`: n8n's verification scanner (@n8n/scan-community-package, pinned in
 * scripts/scanner) on what n8n verifies — the source files it lints (its SOURCE_FILE_PATTERNS:
 * package.json, nodes/ and credentials/) and the unpacked `npm pack` tarball — with its own
 * `analyzePackage` (eslint-disable comments ignored, errors fail). Warnings are listed too.
 * Exits 1 on any error. Needs `npm run build` first (the tarball holds dist/).
 * The scanner's provenance and download steps need the public registry and GitHub: not run here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scannerDir = join(root, 'scripts', 'scanner', 'node_modules', '@n8n', 'scan-community-package');
const scanner = await import(join(scannerDir, 'scanner', 'scanner.mjs'));
// The scanner's own ESLint and glob, so the warnings listed come from exactly its set-up.
const requireFromScanner = createRequire(join(scannerDir, 'package.json'));
const { ESLint } = requireFromScanner('eslint');
const glob = requireFromScanner('fast-glob');
const { version } = JSON.parse(readFileSync(join(scannerDir, 'package.json'), 'utf8'));

function run(command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
	return result.stdout;
}

/** The scanner's verdict, plus every message (warnings included) from the same config. */
async function scan(label, dir, patterns) {
	const verdict = await scanner.analyzePackage(dir, patterns);
	const eslint = new ESLint({ cwd: dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await scanner.buildScanConfig() });
	const files = glob.sync(patterns ?? ['**/*.js', '**/*.ts', '**/*.json'], { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = await eslint.lintFiles(files);
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	console.log(`scanner ${version} on ${label}: ${files.length} files, ${errors} errors, ${warnings} warnings — ${verdict.passed ? 'passed' : `FAILED (${verdict.message})`}`);
	const report = await (await eslint.loadFormatter('stylish')).format(results);
	if (report.trim()) console.log(report);
	return verdict.passed && errors === 0;
}

const work = mkdtempSync(join(tmpdir(), 'dingshang-scan-'));
try {
	const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
	const unpacked = join(work, 'package');
	run('tar', ['-xzf', join(work, packed[0].filename), '-C', work], work);
	const source = await scan('the source (package.json, nodes/, credentials/)', root, scanner.SOURCE_FILE_PATTERNS);
	const tarball = await scan(`the tarball ${packed[0].filename}`, unpacked);
	process.exitCode = source && tarball ? 0 : 1;
} finally {
	rmSync(work, { recursive: true, force: true });
}
