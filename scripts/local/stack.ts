/**
 * The one way to stand the local stack up, for `npm start`, every real-n8n test and the bench:
 *
 *   user folder → DingShang sandbox → payment sandbox → package packed and installed
 *   → credentials and workflows imported → n8n (regular, or queue: Redis, Postgres, main,
 *   workers, webhook processes) → owner sign-in → API key → activations → … → stop()
 *
 * `stop()` ends everything it started, in reverse order, even what died already; a failure while
 * starting stops what had started before it throws. Every child runs under the process guard, so
 * it also dies with us when we are killed outright.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox';
import { startPaymentSandbox, type PaymentSandboxOptions, type RunningPaymentSandbox } from '../../sandbox/payments';
import { N8nClient } from './client';
import { PAYMENT_WEBHOOK_ID, importCredentials, importExamples, importWorkflows, n8nApiCredential, paymentCredentials, platformCredential, type CredentialImport, type ExampleVars, type PlatformCredential } from './examples';
import { n8nCli, n8nInstall, n8nUrl, startN8n, firstJsonObject, type N8nInstall, type N8nMajor, type N8nSettings, type RunningN8n } from './n8n';
import { packAndInstall } from './pack';
import { PACKAGES } from './paths';
import { allStarted, cleanedUpOnFailure, freePort, freePorts, randomToken, sleep, tail, type Cleanups, type RunResult } from './processes';
import { WORKER_CONCURRENCY, queueEnv, startQueueServices, workerHealthEnv, type QueueServices } from './queue';

export interface StackOptions {
	/** n8n major (default 2). */
	major?: N8nMajor;
	/** `queue`: Redis, Postgres, main + workers + webhook processes (n8n 2.x). Default `regular`. */
	mode?: 'regular' | 'queue';
	/** Queue mode: workers (default 2), webhook processes (default 1), each worker's --concurrency. */
	workers?: number;
	webhookProcesses?: number;
	concurrency?: number;
	/** The n8n user folder; kept. Default: a temp folder that stop() removes. */
	userFolder?: string;
	/** `npm run build` before packing (default false: `npm test` builds before jest runs). */
	build?: boolean;
	/** The DingShang sandbox (default: on, any port, quiet); false with `platform` for another platform. */
	sandbox?: SandboxOptions | false;
	/** The WeChat Pay / Alipay sandbox (default: on, any port, quiet); false: none. */
	payments?: PaymentSandboxOptions | false;
	/** A platform that is already running (the bench's own sandbox, the real one) instead of the sandbox. */
	platform?: PlatformCredential;
	/** Example workflows: all overwritten (default), only the missing ones (npm start), none. */
	examples?: 'all' | 'missing' | false;
	/** More workflows and credentials to import (after the examples); workflows may be built from the stack's URLs. */
	workflows?: unknown[] | ((vars: ExampleVars) => unknown[]);
	credentials?: CredentialImport[];
	/** Workflow 9's n8n API credential, written once the API key exists. */
	n8nApiCredential?: boolean;
	/** Workflow ids to activate once signed in. */
	activate?: string[];
	/** Secret token of example 2's trigger (default: a new random one). */
	token?: string;
	ports?: { n8n?: number; sandbox?: number; payments?: number };
	/** Default: a new random key; null: n8n makes one and keeps it in the user folder (npm start). */
	encryptionKey?: string | null;
	/** An API key from an earlier run, reused if n8n still accepts it. */
	apiKey?: string;
	/** More environment for every n8n process. */
	env?: Record<string, string>;
	logLevel?: N8nSettings['logLevel'];
	/** Every line of every n8n process, with its name (`main`, `worker1`, `webhook2`, …). */
	onLine?: (name: string, line: string) => void;
	/** Each step as it begins, in words (npm start prints them). */
	onStep?: (text: string) => void;
}

export interface Stack {
	install: N8nInstall;
	userFolder: string;
	/** The main process's settings (CLI commands run with these). */
	settings: N8nSettings;
	sandbox?: RunningSandbox;
	payments?: RunningPaymentSandbox;
	/** The platform the DingShang credential points at. */
	platform: PlatformCredential;
	token: string;
	/** The main process: editor, REST, public API (and production webhooks in regular mode). */
	n8n: RunningN8n;
	/** Where production webhooks are served: the webhook processes in queue mode, else main. */
	webhookUrls: string[];
	workers: RunningN8n[];
	webhooks: RunningN8n[];
	queue?: QueueServices;
	/** Signed in as the owner, with the API key (unless the owner's password was changed). */
	client: N8nClient;
	apiKey?: string;
	/** Milliseconds each part took to start. */
	timings: Record<string, number>;
	cli(args: string[], timeoutMs?: number): Promise<RunResult>;
	/** `n8n execute --rawOutput` of a workflow; returns the run (throws unless it finished). */
	execute(workflowId: string, timeoutMs?: number): Promise<any>;
	importWorkflows(workflows: unknown[]): Promise<void>;
	importCredentials(credentials: CredentialImport[]): Promise<void>;
	/** Regular mode: main killed (`SIGKILL`: a crash) or stopped, `whileDown` awaited, then started again on the same database. */
	restartMain(signal?: 'SIGKILL' | 'SIGTERM', whileDown?: () => Promise<void>): Promise<RunningN8n>;
	/** Queue mode: one more worker (e.g. after killing one). */
	startWorker(): Promise<RunningN8n>;
	/** Resolves once a POST `{}` to `/webhook/<path>` answers `status` on every webhook URL (n8n 2.x activates in the background). */
	webhookAnswers(path: string, status?: number, timeoutMs?: number): Promise<void>;
	stop(): Promise<void>;
}

/** CLI-only (the bench's `n8n execute` runs): everything up to the imports, no n8n process. */
export type CliStack = Pick<Stack, 'install' | 'userFolder' | 'settings' | 'sandbox' | 'payments' | 'platform' | 'token' | 'cli' | 'execute' | 'importWorkflows' | 'importCredentials' | 'stop'>;

export async function startCliStack(opts: Omit<StackOptions, 'mode' | 'activate' | 'apiKey' | 'n8nApiCredential'> = {}): Promise<CliStack> {
	return await cleanedUpOnFailure(async (cleanups) => (await prepare(opts, cleanups)).cli);
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
	return await cleanedUpOnFailure(async (cleanups) => await serve(opts, cleanups, await prepare(opts, cleanups)));
}

interface Prepared {
	cli: CliStack;
	queue?: QueueServices;
	webhookPorts: number[];
	settingsFor(name: string, port: number, env?: Record<string, string>): Promise<N8nSettings>;
	timed<T>(part: string, what: () => Promise<T>, step?: string): Promise<T>;
	timings: Record<string, number>;
}

/** User folder, sandboxes, package, (queue services,) imports. */
async function prepare(opts: StackOptions, cleanups: Cleanups): Promise<Prepared> {
	const install = n8nInstall(opts.major ?? 2);
	const queueMode = opts.mode === 'queue';
	if (queueMode && install.major !== 2) throw new Error('queue mode runs on n8n 2.x here');
	const timings: Record<string, number> = {};
	const timed = async <T>(part: string, what: () => Promise<T>, step?: string): Promise<T> => {
		if (step) opts.onStep?.(step);
		const started = Date.now();
		const result = await what();
		timings[part] = Date.now() - started;
		return result;
	};

	const userFolder = opts.userFolder ?? tempDir('dingshang-stack-', cleanups);

	const sandbox = opts.sandbox === false ? undefined : await startSandbox({ log: false, ...opts.sandbox, port: opts.ports?.sandbox ?? opts.sandbox?.port ?? 0 });
	if (sandbox) cleanups.add(async () => await sandbox.close());
	if (sandbox) opts.onStep?.(`DingShang sandbox on ${sandbox.baseUrl}`);
	const payments = opts.payments === false ? undefined : await startPaymentSandbox({ log: () => undefined, ...opts.payments, port: opts.ports?.payments ?? opts.payments?.port ?? 0 });
	if (payments) cleanups.add(async () => await payments.close());
	if (payments) opts.onStep?.(`WeChat Pay and Alipay sandboxes on ${payments.baseUrl}`);
	const platform = opts.platform ?? (sandbox && { name: 'DingShang (sandbox)', baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret, signingKey: sandbox.signKey });
	if (!platform) throw new Error('startStack: no sandbox and no platform');
	const token = opts.token ?? randomToken();

	const packageDirs = await timed('package', async () => await packAndInstall(userFolder, { build: opts.build ?? false }), `${opts.build ? 'building, packing' : 'packing'} and installing ${PACKAGES.map((p) => p.name).join(', ')}…`);
	opts.onStep?.(`installed into ${packageDirs.join(', ')}`);

	let queue: QueueServices | undefined;
	if (queueMode) {
		const dir = tempDir('dingshang-queue-', cleanups); // Redis's and Postgres's data
		queue = await timed('redis+postgres', async () => await startQueueServices(dir), 'starting Redis and PostgreSQL…');
		cleanups.add(async () => await queue?.stop());
	}
	const webhookPorts = queueMode ? await freePorts(opts.webhookProcesses ?? 1) : [];
	const webhookUrls = webhookPorts.map(n8nUrl);
	const encryptionKey = opts.encryptionKey === null ? undefined : (opts.encryptionKey ?? randomToken());
	const settingsFor = async (name: string, port: number, env: Record<string, string> = {}): Promise<N8nSettings> => ({
		n8n: install,
		userFolder,
		port,
		runnersBrokerPort: await freePort(),
		encryptionKey,
		logLevel: opts.logLevel ?? 'info', // the ready lines and the CLI's success lines are logged at info
		extraEnv: { ...(queue ? queueEnv(queue, name, webhookUrls[0]) : {}), ...opts.env, ...env },
	});
	const settings = await settingsFor('main', opts.ports?.n8n ?? (await freePort()));
	// The sandbox page pays into workflows 6/7 and types codes into workflow 4 (production webhooks).
	const webhookBase = webhookUrls[0] ?? n8nUrl(settings.port);
	if (sandbox) {
		Object.assign(sandbox.pageLinks, {
			payments: payments?.baseUrl,
			notifyUrls: { weChatPay: `${webhookBase}/webhook/${PAYMENT_WEBHOOK_ID.weChatPay}/payment`, alipay: `${webhookBase}/webhook/${PAYMENT_WEBHOOK_ID.alipay}/payment` },
			pickupWebhook: `${webhookBase}/webhook/dingshang-pickup`,
		});
	}

	// The database is there now (SQLite in the user folder, or Postgres): the CLI imports.
	await timed('imports', async () => {
		const sandboxCredentials = payments ? paymentCredentials({ weChatPay: { ...payments.weChatPay }, alipay: { ...payments.alipay } }, 'sandbox') : [];
		await importCredentials(settings, [platformCredential(platform), ...sandboxCredentials, ...(opts.credentials ?? [])]);
		const vars = { n8nPort: settings.port, token, sandboxUrl: sandbox?.baseUrl, paymentsUrl: payments?.baseUrl };
		const imported = opts.examples === false ? [] : await importExamples(settings, vars, { onlyMissing: opts.examples === 'missing' });
		if (imported.length > 0) opts.onStep?.(`imported: ${imported.join(' · ')}`);
		const workflows = typeof opts.workflows === 'function' ? opts.workflows(vars) : (opts.workflows ?? []);
		if (workflows.length > 0) await importWorkflows(settings, workflows);
	}, `saving the credential "${platform.name}" and importing the workflows…`);

	const cli: CliStack = {
		install,
		userFolder,
		settings,
		sandbox,
		payments,
		platform,
		token,
		cli: async (args, timeoutMs) => await n8nCli(settings, args, timeoutMs),
		execute: async (workflowId, timeoutMs) => await executeWorkflow(settings, workflowId, timeoutMs),
		importWorkflows: async (workflows) => await importWorkflows(settings, workflows),
		importCredentials: async (credentials) => await importCredentials(settings, credentials),
		stop: async () => await cleanups.run(),
	};
	return { cli, queue, webhookPorts, settingsFor, timed, timings };
}

/** A temp folder removed by stop(), and when we exit without it (the process guards end the processes). */
function tempDir(prefix: string, cleanups: Cleanups): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	const remove = () => rmSync(dir, { recursive: true, force: true });
	process.once('exit', remove);
	cleanups.add(() => (process.removeListener('exit', remove), remove()));
	return dir;
}

/** `n8n execute --rawOutput` of a workflow; the run, which must have finished. */
async function executeWorkflow(settings: N8nSettings, workflowId: string, timeoutMs = 300_000): Promise<any> {
	const result = await n8nCli(settings, ['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
	if (result.code !== 0) throw new Error(`n8n execute ${workflowId} failed (${result.code}):\n${tail(result.stdout)}\n${tail(result.stderr)}`);
	const run = JSON.parse(firstJsonObject(result.stdout));
	if (run.finished !== true) throw new Error(`n8n execute ${workflowId} did not finish: ${JSON.stringify(run.data?.resultData?.error ?? run).slice(0, 600)}`);
	return run;
}

/** n8n's processes, sign-in, API key, activations. */
async function serve(opts: StackOptions, cleanups: Cleanups, prepared: Prepared): Promise<Stack> {
	const { cli, queue, webhookPorts, settingsFor, timed, timings } = prepared;
	const { settings } = cli;
	const queueMode = queue !== undefined;
	const lines = (name: string) => (opts.onLine ? (line: string) => opts.onLine?.(name, line) : undefined);
	const track = (proc: RunningN8n) => (cleanups.add(async () => await proc.stop()), proc);
	// Main first: it runs the database migrations.
	let main = track(await timed('main', async () => await startN8n(settings, { onLine: lines('main') }), `starting n8n ${settings.n8n.version} on ${n8nUrl(settings.port)}…`));
	const workers: RunningN8n[] = [];
	const webhooks: RunningN8n[] = [];
	let workerCount = 0;
	const startWorker = async (): Promise<RunningN8n> => {
		if (!queueMode) throw new Error('startWorker: only in queue mode');
		const index = workerCount++;
		const name = `worker${index + 1}`; // workers[i] is `worker${i + 1}`, whichever is ready first
		const port = await freePort();
		const args = [`--concurrency=${opts.concurrency ?? WORKER_CONCURRENCY}`];
		const worker = track(await startN8n(await settingsFor(name, port, workerHealthEnv(port)), { command: 'worker', args, onLine: lines(name) }));
		workers[index] = worker;
		return worker;
	};
	if (queueMode) {
		const startWebhook = async (port: number, i: number) => {
			const webhook = track(await startN8n(await settingsFor(`webhook${i + 1}`, port), { command: 'webhook', onLine: lines(`webhook${i + 1}`) }));
			webhooks[i] = webhook;
			return webhook;
		};
		await allStarted([
			timed('workers', async () => await allStarted(Array.from({ length: opts.workers ?? 2 }, startWorker))),
			timed('webhooks', async () => await allStarted(webhookPorts.map(startWebhook))),
		]);
	}

	opts.onStep?.('owner account, API key, activations…');
	const client = new N8nClient(main.url);
	// Signed in for the REST API (the editor's); the API key for the public API, reused when n8n still takes it.
	const signedIn = await client.signIn();
	let apiKey = opts.apiKey && (await client.useApiKey(opts.apiKey)) ? opts.apiKey : undefined;
	if (!apiKey && signedIn) apiKey = await client.createApiKey();
	if (apiKey && opts.n8nApiCredential) await importCredentials(settings, [n8nApiCredential(settings.port, apiKey)]);
	if (opts.activate?.length && !apiKey) throw new Error('startStack: cannot sign in as the demo owner, so nothing can be activated');
	for (const id of opts.activate ?? []) await client.activateWorkflow(id);

	const stack: Stack = {
		...cli,
		n8n: main,
		webhookUrls: queueMode ? webhookPorts.map(n8nUrl) : [main.url],
		workers,
		webhooks,
		queue,
		client,
		apiKey,
		timings,
		async restartMain(signal = 'SIGKILL', whileDown) {
			if (queueMode) throw new Error('restartMain: regular mode only');
			await (signal === 'SIGKILL' ? main.kill('SIGKILL') : main.stop());
			await whileDown?.(); // e.g. n8n down for longer than the providers retry
			main = track(await startN8n(settings, { onLine: lines('main') }));
			stack.n8n = main;
			if (apiKey && !(await client.useApiKey(apiKey))) throw new Error('restartMain: n8n no longer accepts the API key');
			return main;
		},
		startWorker,
		async webhookAnswers(path, status = 401, timeoutMs = 60_000) {
			for (const base of stack.webhookUrls) {
				const deadline = Date.now() + timeoutMs;
				for (;;) {
					const answer = await fetch(`${base}/webhook/${path}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
					await answer?.arrayBuffer();
					if (answer?.status === status) break;
					if (Date.now() > deadline) throw new Error(`${base}/webhook/${path} did not answer ${status} within ${timeoutMs / 1000} s (last: ${answer?.status ?? 'no answer'})`);
					await sleep(250);
				}
			}
		},
		stop: async () => await cleanups.run(),
	};
	return stack;
}
