/**
 * A private n8n 2.x queue-mode stack on 127.0.0.1 for the e2e tests: Redis + PostgreSQL +
 * `n8n start` (main) + N `n8n worker` + M `n8n webhook`, all sharing one user folder (so one
 * installed copy of this package, see installPackage) and one encryption key.
 *
 *   ensureQueueServices → startQueueStack({ tarball, beforeStart: import credential/workflows })
 *   → main (editor, REST, public API), workers (run the Bull jobs), webhooks (production URLs)
 *   → stop()
 *
 * Why each setting is there: ../shared/N8N_NOTES.md, "Queue mode". Every process runs under the
 * guard of n8nLocal.ts (it dies with us), Postgres included: it runs in the foreground instead of
 * being daemonized by `pg_ctl start` (pg_ctl puts the postmaster in a session of its own).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	freePort,
	installPackage,
	n8nInstall,
	n8nUrl,
	run,
	startN8n,
	startProcess,
	tail,
	type N8nSettings,
	type RunningN8n,
	type RunningProcess,
} from './n8nLocal';

export interface QueueStack {
	main: RunningN8n;
	/** `url` of a worker is its health server (`/healthz`, `/healthz/readiness`). */
	workers: RunningN8n[];
	webhooks: RunningN8n[];
	/** The main process's settings (for n8nCli, importCredential, …). */
	settings: N8nSettings;
	/** Base URLs of the webhook processes: production webhooks are `<url>/webhook/<path>`. */
	webhookUrls: string[];
	redisPort: number;
	pgPort: number;
	/** Milliseconds each part took to start. */
	timings: Record<'redis' | 'postgres' | 'main' | 'workers' | 'webhooks', number>;
	/** One more worker (e.g. after killing one); stopped by stop() too. */
	startWorker(): Promise<RunningN8n>;
	/** Stops everything, in reverse order, even what has died already; throws only at the end. */
	stop(): Promise<void>;
}

export interface QueueStackOptions {
	/** The user folder every n8n process shares (the package is installed in its `.n8n/nodes`). */
	userFolder: string;
	workers: number;
	webhooks: number;
	encryptionKey: string;
	/** A `npm pack` tarball of this package (packPackage), installed before anything starts. */
	tarball?: string;
	/** Runs with the database up, before any n8n process starts: imports via n8nCli(mainSettings, …). */
	beforeStart?: (mainSettings: N8nSettings) => Promise<void>;
	/** Every line of every n8n process, prefixed with its name (`main`, `worker1`, `webhook2`…). */
	onLine?: (name: string, line: string) => void;
	/** `--concurrency` of each worker (default 10). */
	concurrency?: number;
	/** More environment for every n8n process, e.g. DB_POSTGRESDB_POOL_SIZE for high concurrency. */
	env?: Record<string, string>;
	logLevel?: N8nSettings['logLevel'];
}

const WORKER_CONCURRENCY = 10;

/**
 * Queue settings for the crash tests and the crash bench: a dead worker's job is noticed in
 * seconds (n8n: lock 60 s, stalled check 30 s), and queue recovery runs every minute (n8n: 180).
 */
export const SHORT_QUEUE_LOCKS_ENV: Record<string, string> = {
	QUEUE_WORKER_LOCK_DURATION: '10000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
	N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
};

/** The newest PostgreSQL server's bin dir (Debian: /usr/lib/postgresql/<major>/bin), if any. */
function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
	return majors.length > 0 ? join(root, majors[0], 'bin') : undefined;
}

const hasCommand = async (name: string) => (await run('sh', ['-c', `command -v ${name}`], { timeoutMs: 10_000 })).code === 0;

/** Installs Debian's redis-server and postgresql when missing (needs root and apt-get); bounded. */
export async function ensureQueueServices(): Promise<void> {
	const missing = [...((await hasCommand('redis-server')) ? [] : ['redis-server']), ...(postgresBin() ? [] : ['postgresql'])];
	if (missing.length === 0) return;
	if (process.getuid?.() !== 0 || !(await hasCommand('apt-get'))) throw new Error(`queue mode needs ${missing.join(' and ')}: install them (apt-get install ${missing.join(' ')})`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	console.error(`Installing ${missing.join(', ')} with apt-get (once)…`);
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
		const result = await run('apt-get', args, { env, timeoutMs: 600_000, echo: true });
		if (result.code !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
	}
	if (!(await hasCommand('redis-server')) || !postgresBin()) throw new Error(`apt-get installed ${missing.join(', ')} but redis-server or initdb is still missing`);
}

/** Waits for all (so that nothing is still starting when we clean up), then throws the first failure. */
async function allStarted<T>(starts: Array<Promise<T>>): Promise<T[]> {
	const settled = await Promise.allSettled(starts);
	const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failed) throw failed.reason;
	return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** `count` distinct ports that were free a moment ago. */
async function freePorts(count: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < count) ports.add(await freePort());
	return [...ports];
}

async function startRedis(port: number, dir: string): Promise<RunningProcess> {
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
	return await startProcess('redis-server', 'redis-server', args, { ready: /Ready to accept connections/, timeoutMs: 30_000 });
}

/** initdb (as `postgres`, trust auth) into `dir`, `postgres` in the foreground, then database `n8n`. */
async function startPostgres(port: number, dir: string): Promise<RunningProcess> {
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
	const created = await run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', 'create database n8n'], { timeoutMs: 30_000 });
	if (created.code !== 0) {
		await postgres.stop(5_000);
		throw new Error(`create database n8n failed:\n${tail(created.stdout + created.stderr)}`);
	}
	return postgres;
}

/** Stops Postgres cleanly (fast shutdown: no waiting for clients), then its group. */
async function stopPostgres(postgres: RunningProcess, dir: string): Promise<void> {
	const bin = postgresBin();
	if (bin) await run('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', '-t', '20', 'stop'], { cwd: dir, timeoutMs: 30_000 });
	await postgres.stop(5_000);
}

/**
 * Starts the stack; on any failure stops what was started and throws. The caller owns
 * `userFolder` (and removes it); Redis's and Postgres's temp dirs are removed by stop().
 */
export async function startQueueStack(opts: QueueStackOptions): Promise<QueueStack> {
	const n8n = n8nInstall(2);
	const timings = { redis: 0, postgres: 0, main: 0, workers: 0, webhooks: 0 };
	const dir = mkdtempSync(join(tmpdir(), 'dingshang-queue-'));
	const [redisPort, pgPort] = await freePorts(2);
	let redis: RunningProcess | undefined;
	let postgres: RunningProcess | undefined;
	const n8nProcesses: RunningN8n[] = [];
	let workerCount = 0;

	// Dies with us even without stop(): the guards kill the processes, this removes the temp dir.
	const onExit = () => rmSync(dir, { recursive: true, force: true });
	process.once('exit', onExit);

	const stop = async () => {
		const errors: unknown[] = [];
		const attempt = async (what: () => Promise<void>) => await what().catch((error: unknown) => void errors.push(error));
		// Reverse order: webhooks and workers, main, then Redis and Postgres.
		await Promise.all(n8nProcesses.slice(1).map(async (p) => await attempt(async () => await p.stop())));
		if (n8nProcesses[0]) await attempt(async () => await n8nProcesses[0].stop());
		const [startedRedis, startedPostgres] = [redis, postgres];
		if (startedRedis) await attempt(async () => await startedRedis.stop(5_000));
		if (startedPostgres) await attempt(async () => await stopPostgres(startedPostgres, dir));
		await attempt(async () => rmSync(dir, { recursive: true, force: true }));
		process.removeListener('exit', onExit);
		if (errors.length > 0) throw new AggregateError(errors, `stopping the queue stack: ${errors.map(String).join('; ')}`);
	};

	const webhookPorts = await freePorts(opts.webhooks);
	const webhookUrls = webhookPorts.map(n8nUrl);
	/** Settings of one process: own port, broker port and event log; queue mode on Redis and Postgres. */
	const settingsFor = async (name: string, port: number, env: Record<string, string> = {}): Promise<N8nSettings> => ({
		n8n,
		userFolder: opts.userFolder,
		port,
		runnersBrokerPort: await freePort(),
		encryptionKey: opts.encryptionKey,
		logLevel: opts.logLevel ?? 'info',
		extraEnv: {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: 'n8n',
			// Production webhooks only on the webhook processes (main still serves /webhook-test/).
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			// Where production webhooks are (what a load balancer would be): shown in the editor, $execution.resumeUrl.
			...(webhookUrls.length > 0 ? { WEBHOOK_URL: `${webhookUrls[0]}/` } : {}),
			// Else every process appends to the same n8nEventLog*.log in the shared user folder.
			N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-${name}`,
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			...opts.env,
			...env,
		},
	});
	const lines = (name: string) => (opts.onLine ? (line: string) => opts.onLine!(name, line) : undefined);

	const startWorker = async (): Promise<RunningN8n> => {
		const name = `worker${++workerCount}`;
		// Its health server, on a port of its own (default 5678 on all addresses).
		const port = await freePort();
		const s = await settingsFor(name, port, { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' });
		const worker = await startN8n(s, { command: 'worker', args: [`--concurrency=${opts.concurrency ?? WORKER_CONCURRENCY}`], onLine: lines(name) });
		n8nProcesses.push(worker);
		return worker;
	};
	const timed = async <T>(part: keyof typeof timings, what: () => Promise<T>): Promise<T> => {
		const started = Date.now();
		const result = await what();
		timings[part] = Date.now() - started;
		return result;
	};

	try {
		await allStarted([
			timed('redis', async () => (redis = await startRedis(redisPort, dir))),
			timed('postgres', async () => (postgres = await startPostgres(pgPort, dir))),
		]);
		if (opts.tarball) await installPackage(opts.tarball, opts.userFolder);
		const settings = await settingsFor('main', await freePort());
		await opts.beforeStart?.(settings);
		// Main first: it runs the database migrations.
		n8nProcesses.push(await timed('main', async () => await startN8n(settings, { onLine: lines('main') })));
		const startWebhook = async (port: number, i: number) => {
			const webhook = await startN8n(await settingsFor(`webhook${i + 1}`, port), { command: 'webhook', onLine: lines(`webhook${i + 1}`) });
			n8nProcesses.push(webhook);
			return webhook;
		};
		const [workers, webhooks] = await allStarted([
			timed('workers', async () => await allStarted(Array.from({ length: opts.workers }, startWorker))),
			timed('webhooks', async () => await allStarted(webhookPorts.map(startWebhook))),
		]);
		return { main: n8nProcesses[0], workers, webhooks, settings, webhookUrls, redisPort, pgPort, timings, startWorker, stop };
	} catch (error) {
		await stop().catch(() => undefined);
		throw error;
	}
}
