/** The three packages, packed by `npm pack` and installed the way n8n installs community packages. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGES, REPO_ROOT } from './paths';
import { run } from './processes';

/** `npm run build` (optional; it builds every package) and `npm pack` of each package into `destDir`; returns the tarballs. */
export async function packPackages(destDir: string, opts: { build: boolean }): Promise<string[]> {
	if (opts.build) {
		const built = await run('npm', ['run', 'build'], { timeoutMs: 300_000, cwd: REPO_ROOT });
		if (built.code !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
	}
	mkdirSync(destDir, { recursive: true });
	const tarballs: string[] = [];
	for (const pkg of PACKAGES) {
		if (!existsSync(join(pkg.dir, 'dist'))) throw new Error(`${pkg.name}: dist/ is missing: run \`npm run build\` first`);
		const packed = await run('npm', ['pack', '--json', '--pack-destination', destDir], { timeoutMs: 60_000, cwd: pkg.dir });
		if (packed.code !== 0) throw new Error(`npm pack of ${pkg.name} failed:\n${packed.stderr}`);
		const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
		tarballs.push(join(destDir, filename));
	}
	return tarballs;
}

/**
 * What n8n's community-packages service does for an install, minus the download: unpack into
 * `<user folder>/.n8n/nodes/node_modules/<name>/`, drop dev/peer/optional dependencies from its
 * package.json, record it in `.n8n/nodes/package.json`. Our packages have no runtime
 * dependencies, so n8n's `npm install` inside the package folder has nothing to do.
 */
export async function installPackage(tarball: string, userFolder: string): Promise<string> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const staging = join(nodesDir, '.unpacking');
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	const untar = await run('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1'], { timeoutMs: 60_000 });
	if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
	const { devDependencies: _d, peerDependencies: _p, optionalDependencies: _o, ...manifest } = JSON.parse(readFileSync(join(staging, 'package.json'), 'utf8'));
	if (manifest.dependencies && Object.keys(manifest.dependencies).length > 0) {
		throw new Error(`${manifest.name} now has runtime dependencies: install them here like n8n does (npm install in the package folder)`);
	}
	writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	const packageDir = join(nodesDir, 'node_modules', manifest.name);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(join(nodesDir, 'node_modules'), { recursive: true });
	const moved = await run('mv', [staging, packageDir], { timeoutMs: 30_000 });
	if (moved.code !== 0) throw new Error(`mv failed: ${moved.stderr}`);

	const listPath = join(nodesDir, 'package.json');
	const list = existsSync(listPath) ? JSON.parse(readFileSync(listPath, 'utf8')) : { name: 'installed-nodes', private: true, dependencies: {} };
	list.dependencies = { ...list.dependencies, [manifest.name]: manifest.version };
	writeFileSync(listPath, `${JSON.stringify(list, null, 2)}\n`);
	return packageDir;
}

/** Packs every package (building first if asked) into `userFolder` and installs them side by side; the tarballs are removed. */
export async function packAndInstall(userFolder: string, opts: { build: boolean }): Promise<string[]> {
	const tarballs = await packPackages(userFolder, opts);
	try {
		const dirs: string[] = [];
		for (const tarball of tarballs) dirs.push(await installPackage(tarball, userFolder));
		return dirs;
	} finally {
		for (const tarball of tarballs) rmSync(tarball, { force: true });
	}
}
