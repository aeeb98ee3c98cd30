import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { parse } from 'yaml';

import { isInstalled, toolDir } from '../../scripts/local/devTools';
import { installPackage, packPackages } from '../../scripts/local/pack';
import { PACKAGES, REPO_ROOT } from '../../scripts/local/paths';
import { run } from '../../scripts/local/processes';

/**
 * docker/ (no Docker here: images cannot be pulled): the compose files are parsed and every
 * variable they give n8n is looked up in n8n 2.41.1's own configuration (its `@Env('NAME')`
 * declarations); the install step is checked against what `npm start` does (scripts/local/pack.ts),
 * and docker/install-packages.sh is run for real on the packages' `npm pack` tarballs.
 */

const DOCKER = join(REPO_ROOT, 'docker');
const N8N_MODULES = join(toolDir('n8n-2'), 'node_modules');
const IMAGE_HOME = '/home/node'; // the official image's user (`node`) and its N8N_USER_FOLDER
/** Where n8n loads community packages from in the image (and the script's default). */
const NODES_TARGET = '/home/node/.n8n/nodes';

/** Set on n8n services but read by the OS or by n8n through process.env (each checked below). */
const NOT_AN_ENV_DECORATOR: Record<string, string> = {
	TZ: "the container's time zone, for the OS and Node; GENERIC_TIMEZONE is n8n's own",
	OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'n8n 2.41.1 reads process.env directly (workflow-runner.js); 3.0 removes it',
};

type Service = { image?: string; entrypoint?: string[]; command?: string | string[]; environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, { condition: string }> };
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const composeText = (file: string) => readFileSync(join(DOCKER, file), 'utf8');
const loadCompose = (file: string) => parse(composeText(file), { merge: true }) as Compose;

/** The services that run n8n itself (the n8n image, not the one-shot installer). */
function n8nServices(compose: Compose): Array<[string, Service]> {
	return Object.entries(compose.services).filter(([, s]) => String(s.image).startsWith('docker.n8n.io/n8nio/n8n:') && !s.entrypoint);
}

function jsFiles(dir: string, out: string[] = []): string[] {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory() && entry.name !== 'node_modules') jsFiles(path, out);
		else if (entry.isFile() && entry.name.endsWith('.js')) out.push(path);
	}
	return out;
}

/** n8n's own packages' compiled code: n8n, n8n-core and every @n8n/* package. */
function n8nSources(): string[] {
	const scoped = readdirSync(join(N8N_MODULES, '@n8n')).map((name) => join(N8N_MODULES, '@n8n', name, 'dist'));
	const roots = [join(N8N_MODULES, 'n8n', 'dist'), join(N8N_MODULES, 'n8n-core', 'dist'), ...scoped];
	return roots.filter((root) => readdirSync(dirname(root)).includes('dist')).flatMap((root) => jsFiles(root));
}

/** Every name of an `@Env('NAME', …)` (compiled: `(0, config_1.Env)('NAME'`) in n8n 2.41.1, and every `process.env.NAME`. */
function n8nEnvNames(): { declared: Set<string>; readDirectly: Set<string> } {
	const declared = new Set<string>();
	const readDirectly = new Set<string>();
	for (const file of n8nSources()) {
		const text = readFileSync(file, 'utf8');
		for (const m of text.matchAll(/\bEnv\)\('([A-Z0-9_]+)'/g)) declared.add(m[1]);
		for (const m of text.matchAll(/process\.env\.([A-Z0-9_]+)/g)) readDirectly.add(m[1]);
	}
	return { declared, readDirectly };
}

/** Variables n8n 2.41.1 calls deprecated whatever their value (entries of its DeprecationService without `checkValue`). */
function alwaysDeprecated(): Set<string> {
	const text = readFileSync(join(N8N_MODULES, 'n8n', 'dist', 'deprecation', 'deprecation.service.js'), 'utf8');
	const entries = text.split(/envVar: /).slice(1);
	return new Set(entries.filter((entry) => !entry.includes('checkValue')).map((entry) => /^'([A-Z0-9_]+)'/.exec(entry)?.[1] ?? ''));
}

const dotEnvExample = () =>
	Object.fromEntries(
		composeText('.env.example')
			.split('\n')
			.filter((line) => /^[A-Z0-9_]+=/.test(line))
			.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
	);

const FILES = ['docker-compose.yml', 'docker-compose.queue.yml'];

beforeAll(() => {
	if (!isInstalled('n8n-2')) throw new Error('n8n 2.41.1 is not installed in scripts/n8n-2: run `npm run setup:n8n` (npm test does it first)');
});

describe("every variable the compose files give n8n exists in n8n 2.41.1's configuration", () => {
	let names: ReturnType<typeof n8nEnvNames>;
	beforeAll(() => (names = n8nEnvNames()));

	it('the extractor finds what is declared and nothing that is not (a misspelled name is not found)', () => {
		expect(names.declared.size).toBeGreaterThan(400);
		for (const name of ['N8N_ENCRYPTION_KEY', 'EXECUTIONS_MODE', 'QUEUE_BULL_REDIS_HOST', 'N8N_UNVERIFIED_PACKAGES_ENABLED']) expect(names.declared).toContain(name);
		for (const name of ['N8N_UNVERIFIED_PACKAGE_ENABLED', 'QUEUE_BULL_REDIS_HOSTNAME', 'WEBHOOK_URL', 'TZ']) expect(names.declared).not.toContain(name);
	});

	it.each(FILES)('%s: each n8n service variable is an @Env of n8n 2.41.1, or listed with its reason and read by n8n', (file) => {
		const services = n8nServices(loadCompose(file));
		expect(services.length).toBeGreaterThan(0);
		const unknown: string[] = [];
		for (const [service, { environment = {} }] of services) {
			for (const name of Object.keys(environment)) {
				if (names.declared.has(name)) continue;
				if (name in NOT_AN_ENV_DECORATOR && (name === 'TZ' || names.readDirectly.has(name))) continue;
				unknown.push(`${service}: ${name}`);
			}
		}
		expect(unknown).toEqual([]);
	});

	it.each(FILES)('%s: no variable n8n 2.41.1 calls deprecated whatever its value', (file) => {
		const deprecated = alwaysDeprecated();
		expect(deprecated).toContain('WEBHOOK_URL'); // n8n's deprecations were read
		expect(deprecated).not.toContain('N8N_UNVERIFIED_PACKAGES_ENABLED'); // deprecated only when unset
		const used = n8nServices(loadCompose(file)).flatMap(([, s]) => Object.keys(s.environment ?? {}));
		expect(used.filter((name) => deprecated.has(name))).toEqual([]);
	});
});

describe('the packages: installed as n8n installs them, where npm start puts them, seen by every n8n process', () => {
	it.each(FILES)('%s: install-packages installs exactly the three packages, pinned, before n8n starts', (file) => {
		const compose = loadCompose(file);
		const install = compose.services['install-packages'];
		expect(install.entrypoint).toEqual(['/bin/sh', '/install-packages.sh']);
		expect(install.volumes).toEqual(['./install-packages.sh:/install-packages.sh:ro', `n8n_nodes:${NODES_TARGET}`]);
		const specs = install.command as string[];
		expect(specs.map((spec) => spec.slice(0, spec.indexOf('@')))).toEqual(PACKAGES.map((p) => p.name));
		// Each pinned by a variable whose default and .env.example value are the package's current version.
		const env = dotEnvExample();
		specs.forEach((spec, i) => {
			const m = /@\$\{([A-Z_]+):-([^}]+)\}$/.exec(spec);
			expect(m?.[2]).toBe(PACKAGES[i].version);
			expect(env[m?.[1] ?? '']).toBe(PACKAGES[i].version);
		});
		expect(readFileSync(join(DOCKER, 'install-packages.sh'), 'utf8')).toContain(`nodes_dir="\${NODES_DIR:-${NODES_TARGET}}"`);
	});

	it.each(FILES)('%s: every n8n service mounts the packages volume and waits for the install to succeed', (file) => {
		const compose = loadCompose(file);
		expect(Object.keys(compose.volumes)).toContain('n8n_nodes');
		for (const [name, service] of n8nServices(compose)) {
			expect(`${name}: ${service.volumes?.includes(`n8n_nodes:${NODES_TARGET}`)}`).toBe(`${name}: true`);
			expect(service.depends_on?.['install-packages']).toEqual({ condition: 'service_completed_successfully' });
		}
	});

	it.each(FILES)('%s: unverified packages allowed, one encryption key, one image tag for all', (file) => {
		const compose = loadCompose(file);
		const services = n8nServices(compose);
		for (const [, s] of services) expect(s.environment?.N8N_UNVERIFIED_PACKAGES_ENABLED).toBe('true');
		expect(new Set(services.map(([, s]) => s.environment?.N8N_ENCRYPTION_KEY))).toEqual(new Set(['${N8N_ENCRYPTION_KEY:?set N8N_ENCRYPTION_KEY in .env}']));
		expect(new Set([...services.map(([, s]) => s.image), compose.services['install-packages'].image])).toEqual(new Set(['docker.n8n.io/n8nio/n8n:${N8N_VERSION:-3.0.0}']));
	});

	it.each(FILES)('%s: every ${VARIABLE} it uses is in .env.example, whose secrets are placeholders', (file) => {
		const env = dotEnvExample();
		const used = [...composeText(file).matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]);
		expect([...new Set(used)].filter((name) => !(name in env))).toEqual([]);
		for (const secret of ['N8N_ENCRYPTION_KEY', 'POSTGRES_PASSWORD']) expect(env[secret]).toMatch(/^change-me/);
	});
});

describe('queue mode (docker-compose.queue.yml)', () => {
	const compose = loadCompose('docker-compose.queue.yml');
	const services = Object.fromEntries(n8nServices(compose));

	it('has Postgres, Redis, a main process, workers and webhook processes', () => {
		expect(Object.keys(compose.services).sort()).toEqual(['install-packages', 'n8n', 'n8n-webhook', 'n8n-worker', 'postgres', 'redis']);
		expect(services.n8n.command).toBeUndefined(); // the image's default: n8n start
		expect(String(services['n8n-worker'].command)).toMatch(/^worker\b/);
		expect(services['n8n-webhook'].command).toBe('webhook');
	});

	it('every n8n process: queue mode, the same Redis and Postgres; production webhooks off on main only', () => {
		for (const [name, s] of Object.entries(services)) {
			const env = s.environment ?? {};
			expect(`${name}: ${env.EXECUTIONS_MODE} ${env.QUEUE_BULL_REDIS_HOST} ${env.DB_TYPE} ${env.DB_POSTGRESDB_HOST}`).toBe(`${name}: queue redis postgresdb postgres`);
			expect(env.N8N_DISABLE_PRODUCTION_MAIN_PROCESS).toBe(name === 'n8n' ? 'true' : undefined);
		}
	});
});

describe('docker/install-packages.sh, run on the packages\' npm pack tarballs', () => {
	const work = mkdtempSync(join(tmpdir(), 'docker-install-'));
	afterAll(() => rmSync(work, { recursive: true, force: true }));

	const tree = (dir: string): string[] =>
		readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name)).map((p) => `${e.name}/${p}`) : [e.name])).sort();
	const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

	it('gives the same folder as npm start (pack.ts): same files, same package.json, same package list', async () => {
		const tarballs = await packPackages(join(work, 'tgz'), { build: false });
		const nodesDir = join(work, 'script', '.n8n', 'nodes');
		const specs = PACKAGES.map((p, i) => `${p.name}@file:${tarballs[i]}`);
		const ran = await run('sh', [join(DOCKER, 'install-packages.sh'), ...specs], { cwd: work, env: { ...process.env, NODES_DIR: nodesDir }, timeoutMs: 120_000 });
		expect({ code: ran.code, stderr: ran.stderr }).toMatchObject({ code: 0 });

		const userFolder = join(work, 'packjs');
		const packageDirs: string[] = [];
		for (const tarball of tarballs) packageDirs.push(await installPackage(tarball, userFolder));
		// pack.ts's folder, relative to the user folder, is the image's folder relative to its home.
		const packNodes = dirname(dirname(packageDirs[0]));
		expect(posix.join(IMAGE_HOME, ...relative(userFolder, packNodes).split(/[\\/]/))).toBe(NODES_TARGET);
		expect(readdirSync(nodesDir).sort()).toEqual(['node_modules', 'package.json']);
		expect(readdirSync(join(nodesDir, 'node_modules')).sort()).toEqual(PACKAGES.map((p) => p.name).sort());
		for (const { name } of PACKAGES) {
			expect(tree(join(nodesDir, 'node_modules', name))).toEqual(tree(join(packNodes, 'node_modules', name)));
			const manifest = json(join(nodesDir, 'node_modules', name, 'package.json'));
			expect(manifest).toEqual(json(join(packNodes, 'node_modules', name, 'package.json')));
			expect(manifest.peerDependencies).toBeUndefined(); // dropped, as n8n does
		}
		expect(json(join(nodesDir, 'package.json'))).toEqual(json(join(packNodes, 'package.json')));
		expect(json(join(nodesDir, 'package.json')).dependencies).toEqual(Object.fromEntries(PACKAGES.map((p) => [p.name, p.version])));
		expect(tarballs.map((t) => basename(t))).toEqual(PACKAGES.map((p) => `${p.name}-${p.version}.tgz`));
	}, 180_000);

	it('refuses a package without a version (n8n would install `latest` again on every start)', async () => {
		const ran = await run('sh', [join(DOCKER, 'install-packages.sh'), PACKAGES[0].name], { cwd: work, env: { ...process.env, NODES_DIR: join(work, 'refused') }, timeoutMs: 30_000 });
		expect(ran.code).toBe(2);
		expect(ran.stderr).toContain('is not <name>@<version>');
	});
});
