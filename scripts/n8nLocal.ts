/**
 * Real n8n on 127.0.0.1 with this package installed from its `npm pack` tarball, the way n8n
 * installs community packages. Shared by `npm start` (scripts/start.ts) and the e2e tests
 * (test/e2e/n8n.e2e.test.ts), so both exercise the same steps:
 *
 *   packPackage → installPackage → importCredential / importExamples → startN8n
 *   → N8nClient: signIn (owner setup or login) → createApiKey → activateWorkflow (public API)
 *
 * Every child process runs in a process group of its own and is stopped with it (see GUARD);
 * every wait is bounded.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { repointWorkflow, type LocalUrls } from './localUrls';
import { renameNodeTypes } from './renamedTypes';

import { objectText } from '../nodes/shared/jsonText';
import { maskUrlTokens } from '../nodes/shared/secrets';
import { NODE24_BIN, isInstalled, toolDir } from './installDev';

export const REPO_ROOT = resolve(__dirname, '..');
export const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export type N8nMajor = 1 | 2;

/** One installed n8n (scripts/n8n-2 or scripts/n8n-1, see scripts/installDev.ts) and the Node that runs it. */
export interface N8nInstall {
	major: N8nMajor;
	version: string;
	bin: string;
	/** n8n 2.x needs Node 24 (installed beside it); 1.x runs on this machine's Node. */
	node: string;
}

export function n8nInstall(major: N8nMajor): N8nInstall {
	const tool = major === 2 ? 'n8n-2' : 'n8n-1';
	if (!isInstalled(tool)) throw new Error(`n8n ${major}.x is not installed yet: run \`npm run setup:n8n\` (or npm start / npm test, which do it)`);
	const dir = join(toolDir(tool), 'node_modules', 'n8n');
	const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
	return { major, version, bin: join(dir, 'bin', 'n8n'), node: major === 2 ? NODE24_BIN : process.execPath };
}

/** The majors the e2e suite runs in: N8N_E2E="2", "1" or "2,1" (default: both, 2.x first). */
export function e2eMajors(value = process.env.N8N_E2E): N8nMajor[] {
	const asked = (value ?? '2,1').split(',').map((v) => v.trim()).filter(Boolean);
	if (asked.length === 0 || asked.some((v) => v !== '1' && v !== '2')) throw new Error(`N8N_E2E must be "2", "1" or "2,1", got "${value}"`);
	return [...new Set(asked.map(Number) as N8nMajor[])];
}

/** The one credential the examples use (id fixed in examples/*.json). */
export const CREDENTIAL_ID = 'dingshangLocal01';
/** Example workflow ids and the Delivery Result trigger's webhook id, as fixed in examples/*.json. */
export const WORKFLOW = {
	paid: 'dsExamplePaid001',
	refund: 'dsExampleRefund1',
	tryIt: 'dsExampleTryIt01',
	pickup: 'dsExamplePickup1',
	alerts: 'dsExampleAlerts1',
	weChatPay: 'dsExampleWxPay01',
	alipay: 'dsExampleAlipay1',
	askShop: 'dsExampleAskShop',
	unfinished: 'dsExampleUnfin01',
} as const;
/** The n8n API credential of workflow 9 (Unfinished Payments): this instance's URL and API key. */
export const N8N_API_CREDENTIAL_ID = 'n8nApiLocal01';
/** Webhook ids of the Payment Notification Triggers in examples 6 (WeChat Pay) and 7 (Alipay). */
export const PAYMENT_WEBHOOK_ID = { weChatPay: '8f3c2a6e-1b4d-4e7a-9c5f-2d6e8a0b1c31', alipay: '5a7d9e2b-3c4f-4b8a-8d1e-6f0a2c4e6b72' } as const;
export const PAYMENT_CREDENTIAL_ID = { weChatPay: 'wechatpayLocal01', alipay: 'alipayLocal01' } as const;
export const TRIGGER_WEBHOOK_ID = '451d04b0-749a-48af-9dc4-b22d467ed5f2';
/** Placeholders in examples/*.json replaced on import. */
const EXAMPLE_N8N_URL = 'http://127.0.0.1:5678/';
const EXAMPLE_SANDBOX_URL = 'http://127.0.0.1:3900';
const EXAMPLE_PAYMENTS_URL = 'http://127.0.0.1:3910';
const EXAMPLE_TOKEN = 'REPLACE-WITH-YOUR-SECRET-TOKEN';

/** Throw-away local owner account (documented in the README and printed by `npm start`). */
export const DEMO_OWNER = { email: 'owner@example.com', password: 'DingShang-demo-1', firstName: 'Demo', lastName: 'Owner' };

export interface PlatformCredential {
	name: string;
	baseUrl: string;
	appId: string;
	appSecret: string;
	signingKey: string;
}

// ─── small helpers ──────────────────────────────────────────────────────────────────────────

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** A port that was free a moment ago on 127.0.0.1 (0 → any). */
export async function freePort(port = 0): Promise<number> {
	return await new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(port, '127.0.0.1', () => {
			const { port: chosen } = server.address() as { port: number };
			server.close(() => done(chosen));
		});
	});
}

export const randomToken = () => randomBytes(24).toString('base64url');

/** Hides `token=…` query values (the trigger's secret) in a log line. */
export const redactTokens = maskUrlTokens;

interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/**
 * Every child runs under a small guard in a process group of its own, so that
 * - stopping it signals the whole group (n8n may start children), and
 * - it dies with us even when we are killed outright (Ctrl-C in a jest worker, SIGKILL): the guard
 *   holds a pipe from us and kills its group when that pipe closes.
 * The guard ignores SIGINT/SIGTERM itself and exits with the command's exit code.
 */
const GUARD = `
const { spawn } = require('child_process');
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const killGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch {} };
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdin.on('end', killGroup).on('error', killGroup).resume();
child.on('error', (error) => { console.error(error.message); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
`;

function spawnGuarded(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }): ChildProcessByStdio<Writable, Readable, Readable> {
	return spawn(process.execPath, ['-e', GUARD, command, ...args], {
		cwd: opts.cwd ?? REPO_ROOT,
		env: opts.env ?? process.env,
		detached: true,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
}

/**
 * Runs a command to completion (guarded, see GUARD); kills its group after `timeoutMs`.
 * `echo`: also shows its output as it comes (on stderr), for long installs.
 */
export async function run(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; echo?: boolean }): Promise<RunResult> {
	const child = spawnGuarded(command, args, opts);
	let stdout = '';
	let stderr = '';
	const echo = (chunk: Buffer) => opts.echo && process.stderr.write(chunk);
	child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString('utf8')), echo(chunk)));
	child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString('utf8')), echo(chunk)));
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child, 'SIGKILL');
	}, opts.timeoutMs);
	try {
		const code = await new Promise<number | null>((done, fail) => {
			child.once('error', fail);
			child.once('close', (exitCode) => done(exitCode));
		});
		if (timedOut) stderr += `\n[${command} killed after ${opts.timeoutMs / 1000} s]`;
		return { code, stdout, stderr };
	} finally {
		clearTimeout(timer);
		child.stdin.end();
		killGroup(child, 'SIGKILL', true); // leftovers of the group, if any
	}
}

/**
 * Signals a detached child's process group (it leads its own). `afterExit`: also when the leader
 * has exited, to reach anything it left behind in its group (no-op when the group is empty).
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals, afterExit = false): void {
	const exited = child.exitCode !== null || child.signalCode !== null;
	if (child.pid === undefined || (exited && !afterExit)) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* no such group: nothing left */
	}
}

// ─── the package, installed like n8n installs community packages ───────────────────────────

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
 * What n8n 1.123's community-packages service does for an install, minus the download:
 * unpack into `<user folder>/.n8n/nodes/node_modules/<name>/`, drop dev/peer/optional
 * dependencies from its package.json, record it in `.n8n/nodes/package.json`. Our package has no
 * runtime dependencies, so n8n's `npm install` inside the package folder has nothing to do.
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

// ─── n8n processes ──────────────────────────────────────────────────────────────────────────

export interface N8nSettings {
	n8n: N8nInstall;
	userFolder: string;
	port: number;
	/** n8n 2.x always starts its JS task runner, whose broker needs a port of its own. */
	runnersBrokerPort: number;
	/** Fixed in tests; `npm start` lets n8n generate and keep one in the user folder. */
	encryptionKey?: string;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** Added last to the environment, over the defaults (e.g. queue mode, Postgres: scripts/queueStack.ts). */
	extraEnv?: Record<string, string>;
}

export const n8nUrl = (port: number) => `http://127.0.0.1:${port}`;

/**
 * The environment of every n8n process: loopback only, no telemetry, banners, templates or
 * version checks, no task-runner child. Inherited N8N_*, DB_*, … settings and our own
 * DINGSHANG_* / SANDBOX_* secrets are not passed on (expressions can read n8n's environment).
 */
export function n8nEnv(s: N8nSettings): NodeJS.ProcessEnv {
	const inherited = Object.entries(process.env).filter(
		([key]) => !/^(N8N_|DB_|EXECUTIONS_|QUEUE_|DINGSHANG_|SANDBOX_|JEST_)|^(WEBHOOK_URL|NODE_ENV|GENERIC_TIMEZONE)$/.test(key),
	);
	const path = s.n8n.major === 2 ? `${dirname(s.n8n.node)}${delimiter}${process.env.PATH ?? ''}` : process.env.PATH;
	return {
		...Object.fromEntries(inherited),
		PATH: path,
		N8N_USER_FOLDER: s.userFolder,
		N8N_RUNNERS_BROKER_PORT: String(s.runnersBrokerPort),
		N8N_PORT: String(s.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `${n8nUrl(s.port)}/`,
		N8N_EDITOR_BASE_URL: `${n8nUrl(s.port)}/`,
		...(s.encryptionKey ? { N8N_ENCRYPTION_KEY: s.encryptionKey } : {}),
		N8N_LOG_LEVEL: s.logLevel ?? 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
		N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		DB_SQLITE_POOL_SIZE: '2',
		...s.extraEnv,
	};
}

/** One n8n CLI command (`import:…`, `execute`, `list:workflow`); ~1.5 s each. */
export async function n8nCli(s: N8nSettings, args: string[], timeoutMs = 120_000): Promise<RunResult> {
	// A CLI command beside a running `n8n start` needs a task-runner broker port of its own (2.x).
	const env = n8nEnv({ ...s, runnersBrokerPort: await freePort() });
	return await run(s.n8n.node, [s.n8n.bin, ...args], { cwd: s.userFolder, env, timeoutMs });
}

/**
 * The JSON object `n8n execute --rawOutput` printed in `text`: from the first line that is just
 * `{` (n8n 2.x logs lines before and after it), else from the first `{`.
 */
export function firstJsonObject(text: string): string {
	const line = text.search(/^\{$/m);
	const start = line >= 0 ? line : text.indexOf('{');
	const found = start >= 0 ? objectText(text, start) : undefined;
	if (found) return found;
	throw new Error(`no JSON object in n8n's output:\n${text.slice(0, 2000)}`);
}

/** Writes `content` to a private temp file for the duration of `use` (credential JSON holds secrets). */
async function withTempFile<T>(name: string, content: string, use: (path: string) => Promise<T>): Promise<T> {
	const dir = join(tmpdir(), `dingshang-import-${randomToken().slice(0, 10)}`);
	mkdirSync(dir, { mode: 0o700 });
	const path = join(dir, name);
	writeFileSync(path, content, { mode: 0o600 });
	try {
		return await use(path);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Creates or overwrites the `dingShangApi` credential with id CREDENTIAL_ID (encrypted by n8n on import). */
export async function importCredential(s: N8nSettings, cred: PlatformCredential): Promise<void> {
	const data = { baseUrl: cred.baseUrl, appId: cred.appId, appSecret: cred.appSecret, signingKey: cred.signingKey };
	await importCredentials(s, [{ id: CREDENTIAL_ID, name: cred.name, type: 'dingShangApi', data }]);
}

/** The WeChat Pay and Alipay credentials of examples 6 and 7 (created or overwritten, like importCredential). */
export async function importPaymentCredentials(s: N8nSettings, creds: { weChatPay: Record<string, string>; alipay: Record<string, string> }, label: string): Promise<void> {
	await importCredentials(s, [
		{ id: PAYMENT_CREDENTIAL_ID.weChatPay, name: `WeChat Pay (${label})`, type: 'weChatPayApi', data: creds.weChatPay },
		{ id: PAYMENT_CREDENTIAL_ID.alipay, name: `Alipay (${label})`, type: 'alipayApi', data: creds.alipay },
	]);
}

/** Creates or overwrites workflow 9's `dingShangN8nApi` credential: this n8n's URL and an API key of its owner. */
export async function importN8nApiCredential(s: N8nSettings, apiKey: string): Promise<void> {
	await importCredentials(s, [{ id: N8N_API_CREDENTIAL_ID, name: 'This n8n (local)', type: 'dingShangN8nApi', data: { baseUrl: n8nUrl(s.port), apiKey } }]);
}

export interface ExampleVars {
	/** Where this n8n answers (the Notify URL in workflow 3 points at workflow 2's trigger here). */
	n8nPort: number;
	/** Secret Token of workflow 2's trigger, also in workflow 3's Notify URL. */
	token: string;
	/** Shown in workflow 3's note (fault injection example). */
	sandboxUrl?: string;
	/** The payment-provider sandboxes (workflows 6 and 7 pay through them). */
	paymentsUrl?: string;
}

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** examples/*.json with this instance's URL and token filled in. */
export function loadExamples(vars: ExampleVars): Array<{ id: string; name: string; [key: string]: unknown }> {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8')
				.split(EXAMPLE_N8N_URL)
				.join(`${n8nUrl(vars.n8nPort)}/`)
				.split(EXAMPLE_TOKEN)
				.join(vars.token)
				.split(EXAMPLE_SANDBOX_URL)
				.join(vars.sandboxUrl ?? EXAMPLE_SANDBOX_URL)
				.split(EXAMPLE_PAYMENTS_URL)
				.join(vars.paymentsUrl ?? EXAMPLE_PAYMENTS_URL);
			return JSON.parse(text);
		});
}

/** Workflow ids n8n knows (`n8n list:workflow` prints `id|name` lines). */
export async function listWorkflowIds(s: N8nSettings): Promise<Set<string>> {
	const result = await n8nCli(s, ['list:workflow']);
	if (result.code !== 0) throw new Error(`n8n list:workflow failed:\n${tail(result.stdout + result.stderr)}`);
	return new Set(result.stdout.split('\n').map((line) => line.split('|')[0].trim()).filter(Boolean));
}

/**
 * Brings the example workflows n8n holds up to date: every local URL at the current ports
 * (scripts/localUrls.ts), renamed node types at their new names (scripts/renamedTypes.ts).
 * Returns a note per workflow that could not be read or saved.
 */
export async function updateExamples(client: N8nClient, urls: LocalUrls): Promise<string[]> {
	const notes: string[] = [];
	for (const id of Object.values(WORKFLOW)) {
		try {
			const workflow = await client.api('GET', `/workflows/${id}`);
			const renamed = renameNodeTypes(workflow);
			if (repointWorkflow(workflow, urls) || renamed) await client.saveWorkflow(workflow);
		} catch (error) {
			if (error instanceof HttpError && error.status === 404) continue; // deleted by the merchant
			notes.push(`Workflow ${id}'s local URLs may still name an old port: ${(error as Error).message}`);
		}
	}
	return notes;
}

/** Imports the example workflows; with `onlyMissing`, ones that exist (maybe edited) are kept. */
export async function importExamples(s: N8nSettings, vars: ExampleVars, opts: { onlyMissing: boolean }): Promise<string[]> {
	const existing = opts.onlyMissing ? await listWorkflowIds(s) : new Set<string>();
	const workflows = loadExamples(vars).filter((wf) => !existing.has(wf.id));
	if (workflows.length === 0) return [];
	await importWorkflows(s, workflows);
	return workflows.map((wf) => wf.name);
}

/** `n8n import:workflow` of these workflow objects (created or overwritten by id). */
export async function importWorkflows(s: N8nSettings, workflows: unknown[]): Promise<void> {
	const result = await withTempFile('workflows.json', JSON.stringify(workflows), async (path) => await n8nCli(s, ['import:workflow', `--input=${path}`]));
	if (result.code !== 0 || !/Successfully imported/i.test(result.stdout + result.stderr)) {
		throw new Error(`n8n import:workflow failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
	}
}

/** `n8n import:credentials` of these `{id, name, type, data}` objects (created or overwritten by id). */
export async function importCredentials(s: N8nSettings, credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>): Promise<void> {
	const result = await withTempFile('credentials.json', JSON.stringify(credentials), async (path) => await n8nCli(s, ['import:credentials', `--input=${path}`]));
	if (result.code !== 0 || !/Imported \d+ credential/i.test(result.stdout + result.stderr)) {
		throw new Error(`n8n import:credentials failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
	}
}

/** A long-running child (guarded, see GUARD) started by startProcess. */
export interface RunningProcess {
	pid: number;
	/** Last lines of its output (for error messages). */
	recentOutput(): string;
	/** Resolves when the process has exited. */
	exited: Promise<number | null>;
	/** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it is gone. */
	stop(graceMs?: number): Promise<void>;
	/** `signal` (default SIGKILL: a crash) to its whole process group; resolves once it is gone. */
	kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface RunningN8n extends RunningProcess {
	url: string;
}

/**
 * Starts `command` in its own process group and resolves once a line of its output matches
 * `ready`; on exit or time-out first, stops it and throws with the last lines of its output.
 */
export async function startProcess(
	name: string,
	command: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp; onLine?: (line: string) => void; timeoutMs: number },
): Promise<RunningProcess> {
	const child = spawnGuarded(command, args, opts);
	const recent: string[] = [];
	let ready: () => void = () => undefined;
	const readyPromise = new Promise<void>((done) => (ready = done));
	const onData = (chunk: Buffer) => {
		for (const line of chunk.toString('utf8').split(/\r?\n/)) {
			if (line === '') continue;
			recent.push(line);
			if (recent.length > 60) recent.shift();
			opts.onLine?.(line);
			if (opts.ready.test(line)) ready();
		}
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
	const gone = async () => {
		await exited;
		child.stdin.end();
		killGroup(child, 'SIGKILL', true); // anything it started and left behind
	};
	const proc: RunningProcess = {
		pid: child.pid as number,
		recentOutput: () => recent.join('\n'),
		exited,
		async stop(graceMs = 15_000) {
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
			await gone();
			clearTimeout(timer);
		},
		async kill(signal = 'SIGKILL') {
			killGroup(child, signal);
			await gone();
		},
	};
	let timer: NodeJS.Timeout | undefined;
	const outcome = await Promise.race([
		readyPromise.then(() => 'ready' as const),
		exited.then((code) => `exited with code ${code}` as const),
		new Promise<string>((done) => (timer = setTimeout(() => done(`not ready after ${opts.timeoutMs / 1000} s`), opts.timeoutMs))),
	]);
	clearTimeout(timer);
	if (outcome !== 'ready') {
		await proc.stop(2_000);
		throw new Error(`${name} ${outcome}:\n${proc.recentOutput()}`);
	}
	return proc;
}

export type N8nCommand = 'start' | 'worker' | 'webhook';

/**
 * What each command logs once it serves: `start` once the editor is accessible (webhooks of
 * active workflows are registered by then, unlike when /healthz first answers), `worker` once it
 * takes jobs from the queue, `webhook` once it listens.
 */
const READY_LINE: Record<N8nCommand, RegExp> = {
	start: /Editor is now accessible via/,
	worker: /n8n worker is now ready/,
	webhook: /Webhook listener waiting for requests/,
};

/** `n8n start` (or `worker` / `webhook` with `args`, see scripts/queueStack.ts) in its own process group; resolves once it is ready. */
export async function startN8n(
	s: N8nSettings,
	opts: { command?: N8nCommand; args?: string[]; onLine?: (line: string) => void; timeoutMs?: number } = {},
): Promise<RunningN8n> {
	const command = opts.command ?? 'start';
	const proc = await startProcess(`n8n ${command}`, s.n8n.node, [s.n8n.bin, command, ...(opts.args ?? [])], {
		cwd: s.userFolder,
		env: n8nEnv(s),
		ready: READY_LINE[command],
		onLine: opts.onLine,
		timeoutMs: opts.timeoutMs ?? 120_000,
	});
	return { ...proc, url: n8nUrl(s.port) };
}

export const tail = (text: string, lines = 30) => text.trim().split('\n').slice(-lines).join('\n');

// ─── REST (session) and public API (API key) ───────────────────────────────────────────────

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		what: string,
	) {
		super(`${what} → HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`.slice(0, 600));
	}
}

const API_KEY_SCOPES = ['workflow:create', 'workflow:read', 'workflow:update', 'workflow:list', 'workflow:activate', 'workflow:deactivate', 'execution:read', 'execution:list', 'execution:retry'];

export class N8nClient {
	private cookie?: string;
	apiKey?: string;
	// n8n binds the session cookie to this header.
	private readonly browserId = randomToken();

	constructor(readonly baseUrl: string) {}

	private async request(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any; setCookie: string[] }> {
		const answer = await fetch(this.baseUrl + path, {
			method,
			headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await answer.text();
		let json: unknown = text;
		try {
			json = JSON.parse(text);
		} catch {
			/* keep text */
		}
		return { status: answer.status, json, setCookie: answer.headers.getSetCookie() };
	}

	/** Internal REST API as the signed-in owner (`/rest/…`); returns `data`. */
	async rest(method: string, path: string, body?: unknown): Promise<any> {
		const headers: Record<string, string> = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		const answer = await this.request(method, `/rest${path}`, body, headers);
		const auth = answer.setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		if (answer.status >= 400) throw new HttpError(answer.status, answer.json, `${method} /rest${path}`);
		return answer.json?.data;
	}

	/** Any other GET as the signed-in owner (e.g. `/types/nodes.json`, what the editor loads). */
	async get(path: string): Promise<{ status: number; contentType: string; body: string }> {
		const answer = await fetch(this.baseUrl + path, {
			headers: { 'browser-id': this.browserId, ...(this.cookie ? { cookie: this.cookie } : {}) },
			signal: AbortSignal.timeout(60_000),
		});
		return { status: answer.status, contentType: answer.headers.get('content-type') ?? '', body: await answer.text() };
	}

	/** Public API (`/api/v1/…`) with the API key. */
	async api(method: string, path: string, body?: unknown): Promise<any> {
		if (!this.apiKey) throw new Error('no API key yet');
		const answer = await this.request(method, `/api/v1${path}`, body, { 'X-N8N-API-KEY': this.apiKey });
		if (answer.status >= 400) throw new HttpError(answer.status, answer.json, `${method} /api/v1${path}`);
		return answer.json;
	}

	/** Sets up the owner account on a fresh instance, else signs in; false when the password was changed. */
	async signIn(owner = DEMO_OWNER): Promise<boolean> {
		const settings = await this.rest('GET', '/settings');
		if (settings?.userManagement?.showSetupOnFirstLoad) {
			await this.rest('POST', '/owner/setup', owner);
			return true;
		}
		try {
			await this.rest('POST', '/login', { emailOrLdapLoginId: owner.email, password: owner.password });
			return true;
		} catch (error) {
			if (error instanceof HttpError && error.status === 401) return false;
			throw error;
		}
	}

	/** Uses `key` if n8n still accepts it. */
	async useApiKey(key: string): Promise<boolean> {
		this.apiKey = key;
		try {
			await this.api('GET', '/workflows?limit=1');
			return true;
		} catch (error) {
			this.apiKey = undefined;
			if (error instanceof HttpError && error.status === 401) return false;
			throw error;
		}
	}

	/** Creates an API key for the signed-in owner and uses it. */
	async createApiKey(): Promise<string> {
		const created = await this.rest('POST', '/api-keys', { label: `dingshang-local-${Date.now()}`, expiresAt: null, scopes: API_KEY_SCOPES });
		this.apiKey = created.rawApiKey as string;
		return this.apiKey;
	}

	/** Saves a workflow (as read from the public API) back through the public API. */
	async saveWorkflow(workflow: { id: string; name: string; nodes: unknown; connections: unknown; settings?: Record<string, unknown>; staticData?: unknown }): Promise<void> {
		const { id, name, nodes, connections, settings, staticData } = workflow;
		await this.api('PUT', `/workflows/${id}`, { name, nodes, connections, settings: pickSettings(settings), staticData });
	}

	/** Saves a workflow unchanged, so n8n's list (last updated first) shows it on top. */
	async touchWorkflow(id: string): Promise<void> {
		await this.saveWorkflow(await this.api('GET', `/workflows/${id}`));
	}

	/** Forgets what the workflow's nodes remembered (e.g. the trigger's seen results); true if there was something. */
	async clearStaticData(id: string): Promise<boolean> {
		const workflow = await this.api('GET', `/workflows/${id}`);
		if (!workflow.staticData || Object.keys(workflow.staticData).length === 0) return false;
		await this.saveWorkflow({ ...workflow, staticData: null });
		return true;
	}

	/**
	 * Activates a workflow. A CLI-imported workflow has no saved version yet (activation would
	 * fail), so it is saved once through the public API first, which records that version.
	 */
	async activateWorkflow(id: string): Promise<void> {
		const workflow = await this.api('GET', `/workflows/${id}`);
		if (workflow.active) return;
		await this.saveWorkflow(workflow);
		await this.api('POST', `/workflows/${id}/activate`);
	}

	/** Executions of a workflow with their data, newest first (one page is plenty here). */
	async executions(workflowId: string): Promise<any[]> {
		const page = await this.api('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true&limit=100`);
		return page.data as any[];
	}

	/** Every execution of a workflow (the public API's pages, followed to the end), newest first. */
	async allExecutions(workflowId: string, includeData = true): Promise<any[]> {
		const all: any[] = [];
		let cursor: string | undefined;
		for (let page = 0; page < 100; page++) {
			const query = `workflowId=${encodeURIComponent(workflowId)}&includeData=${includeData}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
			const answer = await this.api('GET', `/executions?${query}`);
			all.push(...(answer.data as any[]));
			cursor = answer.nextCursor ?? undefined;
			if (!cursor) break;
		}
		return all;
	}

	/** Retries an execution (what the editor's "Retry" does); returns the new execution's id. */
	async retryExecution(id: string): Promise<string> {
		return String((await this.api('POST', `/executions/${id}/retry`, {})).id);
	}
}

/** The workflow settings the public API accepts back. */
function pickSettings(settings: Record<string, unknown> = {}): Record<string, unknown> {
	const allowed = ['saveExecutionProgress', 'saveManualExecutions', 'saveDataErrorExecution', 'saveDataSuccessExecution', 'executionTimeout', 'errorWorkflow', 'timezone', 'executionOrder'];
	return Object.fromEntries(Object.entries(settings).filter(([key]) => allowed.includes(key)));
}
