/**
 * Redis and PostgreSQL for queue mode, private to one stack: Debian's servers run by hand on
 * free loopback ports with their data in a temp dir, in the foreground under the process guard
 * (`pg_ctl start` would put the postmaster in a session of its own, out of our reach). And
 * Debian's chromium for the browser tests, installed the same way when missing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, startProcess, tail, type RunningProcess } from './processes';

/** The newest PostgreSQL server's bin dir (Debian: /usr/lib/postgresql/<major>/bin), if any. */
function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
	return majors.length > 0 ? join(root, majors[0], 'bin') : undefined;
}

const hasCommand = async (name: string) => (await run('sh', ['-c', `command -v ${name}`], { timeoutMs: 10_000 })).code === 0;

/** Installs Debian packages with apt-get (needs root); bounded, apt's output echoed. */
async function aptInstall(packages: string[], why: string): Promise<void> {
	if (process.getuid?.() !== 0 || !(await hasCommand('apt-get'))) throw new Error(`${why} needs ${packages.join(' and ')}: install them (apt-get install ${packages.join(' ')})`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	console.error(`Installing ${packages.join(', ')} with apt-get (once)…`);
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
		const result = await run('apt-get', args, { env, timeoutMs: 600_000, echo: true });
		if (result.code !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
	}
}

/** Installs Debian's redis-server and postgresql when missing (needs root and apt-get); bounded. */
export async function ensureQueueServices(): Promise<void> {
	const missing = [...((await hasCommand('redis-server')) ? [] : ['redis-server']), ...(postgresBin() ? [] : ['postgresql'])];
	if (missing.length === 0) return;
	await aptInstall(missing, 'queue mode');
	if (!(await hasCommand('redis-server')) || !postgresBin()) throw new Error(`apt-get installed ${missing.join(', ')} but redis-server or initdb is still missing`);
}

/** Debian's chromium (CHROMIUM overrides the path), for the browser tests and screenshots. */
export const chromiumPath = (): string => process.env.CHROMIUM || '/usr/bin/chromium';

/** Installs chromium and CJK fonts (the pages are bilingual) when chromium is missing; bounded. */
export async function ensureChromium(): Promise<string> {
	const path = chromiumPath();
	if (existsSync(path)) return path;
	if (process.env.CHROMIUM) throw new Error(`CHROMIUM=${path} does not exist`);
	await aptInstall(['chromium', 'fonts-noto-cjk'], 'the browser test');
	if (!existsSync(path)) throw new Error(`apt-get installed chromium but ${path} is still missing`);
	return path;
}

export async function startRedis(port: number, dir: string): Promise<RunningProcess> {
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
	return await startProcess('redis-server', 'redis-server', args, { ready: /Ready to accept connections/, timeoutMs: 30_000 });
}

/** A running Postgres; `stop()` shuts it down cleanly (fast: no waiting for clients), then its group. */
export interface RunningPostgres {
	stop(): Promise<void>;
}

/** initdb (as `postgres`, trust auth) into `dir`, `postgres` in the foreground, then database `n8n`. */
export async function startPostgres(port: number, dir: string): Promise<RunningPostgres> {
	const bin = postgresBin();
	if (!bin) throw new Error('PostgreSQL is not installed (ensureQueueServices installs it)');
	// Postgres refuses to run as root; its data and socket live in `dir`.
	const chown = await run('chown', ['postgres:postgres', dir], { timeoutMs: 10_000 });
	if (chown.code !== 0) throw new Error(`chown postgres ${dir} failed: ${chown.stderr}`);
	const data = join(dir, 'data');
	const initdb = await run('runuser', ['-u', 'postgres', '--', join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-locale', '-E', 'UTF8'], {
		cwd: dir,
		timeoutMs: 60_000,
	});
	if (initdb.code !== 0) throw new Error(`initdb failed (exit ${initdb.code}):\n${tail(initdb.stdout + initdb.stderr)}`);
	// fsync off: a throw-away database, fast commits.
	const args = ['-u', 'postgres', '--', join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
	const postgres = await startProcess('postgres', 'runuser', args, { cwd: dir, ready: /database system is ready to accept connections/, timeoutMs: 60_000 });
	const stop = async () => {
		await run('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '20', 'stop'], { cwd: dir, timeoutMs: 30_000 });
		await postgres.stop(5_000);
	};
	const created = await run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', 'create database n8n'], { timeoutMs: 30_000 });
	if (created.code !== 0) {
		await postgres.stop(5_000);
		throw new Error(`create database n8n failed:\n${tail(created.stdout + created.stderr)}`);
	}
	return { stop };
}
