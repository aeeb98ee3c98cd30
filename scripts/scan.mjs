/**
 * `npm run scan`: n8n's verification scanner (@n8n/scan-community-package, pinned in
 * scripts/scanner) on what n8n verifies — the source files it lints (its SOURCE_FILE_PATTERNS:
 * package.json, nodes/ and credentials/) and the unpacked `npm pack` tarball, for each of the three
 * packages — with its own `analyzePackage` (eslint-disable comments ignored, errors fail).
 * Warnings are listed too.
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

/**
 * What n8n's verification asks of each package beyond the lint rules: no runtime dependencies, and
 * nodes that use only the package's own credentials (DingShang's n8n API credential, for its
 * recovery trigger, is one of DingShang's own). Read from the built dist/ that the tarball holds.
 */
function ownServiceOnly(dir, manifest) {
	const requireHere = createRequire(join(dir, 'package.json'));
	const problems = [];
	if (Object.keys(manifest.dependencies ?? {}).length > 0) problems.push(`runtime dependencies: ${Object.keys(manifest.dependencies).join(', ')}`);
	const own = new Set(manifest.n8n.credentials.map((file) => Object.values(requireHere(join(dir, file))).map((C) => new C().name)).flat());
	for (const file of manifest.n8n.nodes) {
		for (const NodeClass of Object.values(requireHere(join(dir, file)))) {
			for (const credential of new NodeClass().description.credentials ?? []) {
				if (!own.has(credential.name)) problems.push(`${file} uses the credential ${credential.name} of another package`);
			}
		}
	}
	console.log(`${manifest.name}: ${problems.length === 0 ? `no runtime dependencies; nodes use only ${[...own].join(', ')}` : problems.join('; ')}`);
	return problems.length === 0;
}

const packageDirs = [root, ...(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? []).map((w) => join(root, w))];
let passed = true;
for (const dir of packageDirs) {
	const work = mkdtempSync(join(tmpdir(), 'dingshang-scan-'));
	try {
		const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], dir));
		const unpacked = join(work, 'package');
		run('tar', ['-xzf', join(work, packed[0].filename), '-C', work], work);
		const source = await scan(`${packed[0].name}: the source (package.json, nodes/, credentials/)`, dir, scanner.SOURCE_FILE_PATTERNS);
		const tarball = await scan(`the tarball ${packed[0].filename}`, unpacked);
		const own = ownServiceOnly(dir, JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')));
		passed &&= source && tarball && own;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
process.exitCode = passed ? 0 : 1;
