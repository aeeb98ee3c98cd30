/** This package, packed by `npm pack` and installed the way n8n installs community packages. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE, REPO_ROOT } from './paths';
import { run } from './processes';

/** `npm run build` (optional) and `npm pack` into `destDir`; returns the tarball path. */
export async function packPackage(destDir: string, opts: { build: boolean }): Promise<string> {
	if (opts.build) {
		const built = await run('npm', ['run', 'build'], { timeoutMs: 180_000 });
		if (built.code !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
	}
	if (!existsSync(join(REPO_ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
	mkdirSync(destDir, { recursive: true });
	const packed = await run('npm', ['pack', '--json', '--pack-destination', destDir], { timeoutMs: 60_000 });
	if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
	const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
	return join(destDir, filename);
}

/**
 * What n8n's community-packages service does for an install, minus the download: unpack into
 * `<user folder>/.n8n/nodes/node_modules/<name>/`, drop dev/peer/optional dependencies from its
 * package.json, record it in `.n8n/nodes/package.json`. Our package has no runtime dependencies,
 * so n8n's `npm install` inside the package folder has nothing to do.
 */
export async function installPackage(tarball: string, userFolder: string): Promise<string> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', PACKAGE.name);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	const untar = await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], { timeoutMs: 60_000 });
	if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);

	const manifestPath = join(packageDir, 'package.json');
	const { devDependencies: _d, peerDependencies: _p, optionalDependencies: _o, ...manifest } = JSON.parse(readFileSync(manifestPath, 'utf8'));
	if (manifest.dependencies && Object.keys(manifest.dependencies).length > 0) {
		throw new Error('the package now has runtime dependencies: install them here like n8n does (npm install in the package folder)');
	}
	writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

	const listPath = join(nodesDir, 'package.json');
	const list = existsSync(listPath) ? JSON.parse(readFileSync(listPath, 'utf8')) : { name: 'installed-nodes', private: true, dependencies: {} };
	list.dependencies = { ...list.dependencies, [PACKAGE.name]: manifest.version };
	writeFileSync(listPath, `${JSON.stringify(list, null, 2)}\n`);
	return packageDir;
}

/** Packs (building first if asked) into `userFolder` and installs there; the tarball is removed. */
export async function packAndInstall(userFolder: string, opts: { build: boolean }): Promise<string> {
	const tarball = await packPackage(userFolder, opts);
	try {
		return await installPackage(tarball, userFolder);
	} finally {
		rmSync(tarball, { force: true });
	}
}
