/**
 * `npm start`: real n8n on 127.0.0.1 with this package installed from its tarball, the DingShang
 * sandbox, a saved credential and the example workflows (with the sandbox, workflows 1, 2, 4–7 and 9 published). Ctrl-C stops
 * everything it started. Re-running reuses `.n8n-local/` (your edits to the workflows are kept).
 *
 * With the sandbox, also the WeChat Pay / Alipay sandboxes (new test keys each run, saved into
 * two n8n credentials) and workflows 6 and 7: a sandbox payment starts a dispense, a failed
 * dispense ends in a provider refund.
 *
 * Environment: N8N_PORT (5678), SANDBOX_PORT (3900), PAYMENTS_PORT (3910), SANDBOX_SIGN_STYLE (either | plain | go); for the real platform instead of the
 * sandbox set all of DINGSHANG_BASE_URL, DINGSHANG_APP_ID, DINGSHANG_APP_SECRET, DINGSHANG_SIGNING_KEY.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join, relative } from 'node:path';
import { maskUrlTokens } from '../nodes/shared/dingshang/secrets';
import { installDevTool } from './local/devTools';
import {
	DEMO_OWNER,
	PACKAGES,
	REPO_ROOT,
	WORKFLOW,
	freePort,
	n8nApiCredential,
	randomToken,
	startStack,
	updateExamples,
	type PlatformCredential,
	type Stack,
} from './local';
import { SandboxEcho } from './sandboxEcho';

const LOCAL_DIR = join(REPO_ROOT, '.n8n-local'); // git-ignored; N8N_USER_FOLDER
const STATE_FILE = join(LOCAL_DIR, 'state.json'); // trigger token and API key, mode 0600
const N8N_LOG = join(LOCAL_DIR, 'n8n.log');
const SANDBOX_LOG = join(LOCAL_DIR, 'sandbox.log');
const PAYMENTS_LOG = join(LOCAL_DIR, 'payments.log');
const show = (path: string) => relative(process.cwd(), path) || '.';
const step = (text: string) => console.log(`▸ ${text}`);

interface State {
	token?: string;
	apiKey?: string;
}

function envPort(name: string, fallback: number): number {
	const raw = process.env[name];
	const port = raw === undefined || raw === '' ? fallback : Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (1–65535), got "${raw}"`);
	return port;
}

const PLATFORM_ENV = ['DINGSHANG_BASE_URL', 'DINGSHANG_APP_ID', 'DINGSHANG_APP_SECRET', 'DINGSHANG_SIGNING_KEY'] as const;

/** The real platform when DINGSHANG_* are set (all four), else undefined → sandbox. */
function platformFromEnv(): PlatformCredential | undefined {
	const missing = PLATFORM_ENV.filter((key) => !process.env[key]);
	if (missing.length === PLATFORM_ENV.length) return undefined;
	if (missing.length > 0) throw new Error(`To use the real platform set all of ${PLATFORM_ENV.join(', ')} (missing: ${missing.join(', ')})`);
	const env = process.env as Record<(typeof PLATFORM_ENV)[number], string>;
	return {
		name: `DingShang (${env.DINGSHANG_BASE_URL})`,
		baseUrl: env.DINGSHANG_BASE_URL,
		appId: env.DINGSHANG_APP_ID,
		appSecret: env.DINGSHANG_APP_SECRET,
		signingKey: env.DINGSHANG_SIGNING_KEY,
	};
}

async function assertPortFree(port: number, name: string): Promise<void> {
	try {
		await freePort(port);
	} catch {
		throw new Error(`port ${port} on 127.0.0.1 is in use: stop what uses it or set ${name}`);
	}
}

function readState(): State {
	return existsSync(STATE_FILE) ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as State) : {};
}

function writeState(state: State): void {
	writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

// Stopped on Ctrl-C, SIGTERM, failure or n8n exiting on its own. Before the stack is up, exiting
// is enough: every child's guard ends it when we go.
let stack: Stack | undefined;
const logs: WriteStream[] = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		await stack?.stop().catch((error: Error) => console.error(`  (while stopping: ${error.message})`));
		for (const log of logs) log.end();
	}
	process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		console.log(`\n${signal}: stopping n8n and the sandbox…`);
		void shutdown(0);
	});
}

/** A log file in .n8n-local/ whose lines are stamped and, for the sandboxes, echoed after the ready block. */
function logTo(path: string, label?: string): (line: string) => void {
	const file = createWriteStream(path, { flags: 'a' });
	logs.push(file);
	if (!label) return (line) => file.write(`${maskUrlTokens(line)}\n`);
	return (line) => {
		const stamped = `[${label} ${new Date().toISOString()}] ${maskUrlTokens(line)}`; // notify URLs carry the token
		file.write(`${stamped}\n`);
		sandboxEcho.line(stamped);
	};
}

/** Sandbox lines after the ready block; the first steps again below the first 15 of them. */
const REMIND_AFTER_LINES = 15;
const sandboxEcho = new SandboxEcho((text) => console.log(text));

async function main(): Promise<void> {
	const ports = { n8n: envPort('N8N_PORT', 5678), sandbox: envPort('SANDBOX_PORT', 3900), payments: envPort('PAYMENTS_PORT', 3910) };
	const platform = platformFromEnv();
	mkdirSync(LOCAL_DIR, { recursive: true });
	const state = readState();
	state.token ??= randomToken();
	writeState(state);
	await assertPortFree(ports.n8n, 'N8N_PORT');
	if (!platform) await assertPortFree(ports.sandbox, 'SANDBOX_PORT');
	if (!platform) await assertPortFree(ports.payments, 'PAYMENTS_PORT');
	await installDevTool('n8n-2'); // first run only: n8n 2.x and its Node 24, with npm's progress

	const n8nLog = logTo(N8N_LOG);
	stack = await startStack({
		userFolder: LOCAL_DIR,
		build: true,
		ports,
		platform,
		sandbox: platform ? false : { log: logTo(SANDBOX_LOG, 'sandbox') },
		payments: platform ? false : { log: logTo(PAYMENTS_LOG, 'payments') },
		examples: 'missing', // the merchant's edits are kept
		token: state.token,
		encryptionKey: null, // n8n makes one and keeps it in the user folder
		apiKey: state.apiKey,
		onLine: (_name, line) => n8nLog(line),
		onStep: (text) => step(text.replace(LOCAL_DIR, show(LOCAL_DIR))),
	});
	const { n8n, client, sandbox, payments } = stack;
	void n8n.exited.then((code) => {
		if (stopping) return;
		console.error(`n8n exited on its own (code ${code}). Last lines of ${show(N8N_LOG)}:\n${n8n.recentOutput()}`);
		void shutdown(1);
	});
	if (stack.apiKey !== state.apiKey) writeState({ ...state, apiKey: stack.apiKey });

	const notes: string[] = [];
	if (!stack.apiKey) notes.push('The demo password no longer works (changed?): activate workflows 1, 2, 4–7 and 9 in the editor yourself.');
	if (stack.apiKey) {
		notes.push(...(await updateExamples(client, { n8n: n8n.url, sandbox: sandbox?.baseUrl, payments: payments?.baseUrl })));
		// A new sandbox numbers orders from 1000 again: the trigger's memory of the last run's
		// results would swallow this run's callbacks as duplicates. (Kept for the real platform.)
		if (sandbox) {
			let cleared = false;
			for (const id of [WORKFLOW.refund, WORKFLOW.weChatPay, WORKFLOW.alipay]) cleared = (await client.clearStaticData(id)) || cleared;
			if (cleared) step('cleared the triggers\' deduplication memory of the previous sandbox run');
		}
		// Workflow 9 reads this n8n's executions with the owner's API key (its own credential).
		await stack.importCredentials([n8nApiCredential(ports.n8n, stack.apiKey)]);
		const sandboxOnly = sandbox ? [WORKFLOW.alerts, WORKFLOW.weChatPay, WORKFLOW.alipay, WORKFLOW.unfinished] : [];
		for (const id of [WORKFLOW.paid, WORKFLOW.refund, WORKFLOW.pickup, ...sandboxOnly]) {
			try {
				await client.activateWorkflow(id);
			} catch (error) {
				notes.push(`Could not activate workflow ${id}: ${(error as Error).message}`);
			}
		}
		// n8n lists workflows last-updated first: saved last, the first click is the first row.
		if (sandbox) await client.touchWorkflow(WORKFLOW.tryIt).catch(() => undefined);
	}
	printReadyBlock(stack.install.version, n8n.url, sandbox?.baseUrl, payments?.baseUrl, stack.platform, notes);
	sandboxEcho.start(firstSteps(n8n.url, !!sandbox), sandbox ? REMIND_AFTER_LINES : 0);
}

/** The sign-in and the first click, in English and 中文 (printed in the ready block, and again below the first sandbox lines). */
function firstSteps(editorUrl: string, withSandbox: boolean): string[] {
	return [
		`  Editor 编辑器    ${editorUrl}`,
		`  Sign in 登录     ${DEMO_OWNER.email}  /  ${DEMO_OWNER.password}`,
		`                  (throw-away local account, only on 127.0.0.1 · 仅本机使用的临时账号)`,
		...(withSandbox
			? [
					'  First click: open "DingShang 3 · Try it first" (top of the list) and press "Execute workflow".',
					'  第一步：打开列表最上面的 “DingShang 3 · Try it first”，点击 “Execute workflow”。',
				]
			: []),
	];
}

function printReadyBlock(
	n8nVersion: string,
	editorUrl: string,
	sandboxUrl: string | undefined,
	paymentsUrl: string | undefined,
	credential: PlatformCredential,
	notes: string[],
): void {
	const line = '─'.repeat(78);
	const out = [
		'',
		line,
		`  n8n ${n8nVersion} is ready, with ${PACKAGES.map((p) => `${p.name} ${p.version}`).join(", ")} installed`,
		'',
		...firstSteps(editorUrl, !!sandboxUrl),
	];
	if (sandboxUrl) {
		out.push(
			`  Sandbox     ${sandboxUrl}/   the sandbox page: state at a glance and buttons, no terminal needed`,
			'              沙盒页面：一目了然的状态和按钮，无需终端',
			`  Payments    ${paymentsUrl}   WeChat Pay + Alipay sandboxes (their payments and refunds are on the sandbox page)`,
			`  Credential  "${credential.name}", WeChat Pay and Alipay (sandbox) saved; workflows 1, 2, 4–7 and 9 are published`,
			'',
			'  Then open "DingShang 2 · Delivery result" → Executions: the sandbox called it back.',
			`  Refund path: open ${sandboxUrl}/ and press "Next dispense fails" (machine 10000002), run`,
			'  workflow 3 again, watch workflow 2 refund — the refund shows under "Refunds" on that page.',
			'  退款路径：在沙盒页面点击 “下次出货失败”，再次运行工作流 3，工作流 2 即退款（见页面 “退款”）。',
			'  Pickup codes (workflow 4): on the sandbox page press "Add a pickup code", then "Customer types it".',
			'  Machine alerts (workflow 5, checks every minute): press "Channel stuck", "Low stock" or "Machine',
			'  offline" on the sandbox page and watch its executions.',
			'  WeChat Pay / Alipay (workflows 6, 7): run its "Try it" branch (or "Pay with WeChat Pay / Alipay" on',
			'  the sandbox page); to see the provider refund, first choose machine 10000001 and press "Next dispense fails".',
			'  n8n stopped mid-payment? Workflow 9 (published) finishes it within a minute: dispensed late inside',
			'  3 min of the payment, else refunded — see its executions (n8n 中断的付款由工作流 9 自动补出货或退款).',
			'  Ask your shop (workflow 8, AI agent): add a DeepSeek credential (platform.deepseek.com) to its "Chat model",',
			'  then "Open chat" and ask "Which machines are offline?" (问问你的店：添加 DeepSeek 凭证后打开聊天).',
			'  Daily reconciliation (workflow 10): open it and run "Run it now": yesterday\'s bills of the sandbox',
			'  providers against DingShang, one summary (每日对账：下载昨天的账单，逐笔核对并汇总).',
		);
	} else {
		out.push(
			`  Platform    ${credential.baseUrl} (real platform, no sandbox)`,
			`  Credential  "${credential.name}" saved; workflows 1, 2 and 4 are published`,
			'',
			`  First click: Overview → Credentials → "${credential.name}" → Save (n8n tests it).`,
			'  The examples name sandbox machines (10000001–10000005): put your machine numbers in',
			'  before running them — workflow 3 creates a real order. The platform cannot reach',
			`  ${editorUrl} for callbacks: workflow 2 needs a public WEBHOOK_URL in production.`,
		);
	}
	for (const note of notes) out.push(`  ! ${note}`);
	out.push(
		'',
		`  Logs: ${show(N8N_LOG)}${sandboxUrl ? ` · ${show(SANDBOX_LOG)} (sandbox lines also follow below)` : ''}`,
		`  Ctrl-C stops n8n${sandboxUrl ? ' and the sandbox' : ''}.`,
		line,
		'',
	);
	console.log(out.join('\n'));
}

main().catch(async (error: Error) => {
	console.error(`\nnpm start failed: ${error.message}`);
	await shutdown(1);
});
