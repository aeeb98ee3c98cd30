/**
 * One installed n8n (scripts/n8n-2 or scripts/n8n-1, see devTools.ts): its environment, its CLI
 * and its long-running commands (`start`, `worker`, `webhook`), each under the process guard.
 */
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { objectText } from '../../nodes/shared/common/jsonText';
import { NODE24_BIN, isInstalled, toolDir } from './devTools';
import { freePort, run, startProcess, type RunResult, type RunningProcess } from './processes';

export type N8nMajor = 1 | 2;

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

export interface N8nSettings {
	n8n: N8nInstall;
	userFolder: string;
	port: number;
	/** n8n 2.x always starts its JS task runner, whose broker needs a port of its own. */
	runnersBrokerPort: number;
	/** Fixed in tests; `npm start` lets n8n generate and keep one in the user folder. */
	encryptionKey?: string;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** Added last to the environment, over the defaults (e.g. queue mode, Postgres: queue.ts). */
	extraEnv?: Record<string, string>;
}

export const n8nUrl = (port: number) => `http://127.0.0.1:${port}`;

/**
 * The environment of every n8n process: loopback only, no telemetry, banners, templates,
 * version checks or calls to n8n's servers (api.n8n.io), no task-runner child. Inherited N8N_*, DB_*, …
 * settings and our own DINGSHANG_* / SANDBOX_* secrets are not passed on (expressions can read
 * n8n's environment).
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
		// 2.x's MCP-server catalogue fetches api.n8n.io at start (1.x has no such module and refuses the name).
		...(s.n8n.major === 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
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

export interface RunningN8n extends RunningProcess {
	url: string;
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

/** `n8n start` (or `worker` / `webhook` with `args`, see queue.ts) in its own process group; resolves once it is ready. */
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
