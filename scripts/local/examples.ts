/**
 * The example workflows and the credentials they name, brought into n8n through its CLI
 * (`import:workflow`, `import:credentials`: created or overwritten by id), and kept pointing at
 * the current local ports on later runs.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repointWorkflow, type LocalUrls } from './localUrls';
import { HttpError, type N8nClient } from './client';
import { n8nCli, n8nUrl, type N8nSettings } from './n8n';
import { EXAMPLES_DIR, PACKAGES } from './paths';
import { randomToken, tail } from './processes';

/** The one DingShang credential the examples use (id fixed in examples/*.json). */
export const CREDENTIAL_ID = 'dingshangLocal01';
/** Example workflow ids, as fixed in examples/*.json. */
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
	reconcile: 'dsExampleRecon01',
} as const;
/** The n8n API credential of workflow 9 (Unfinished Payments): this instance's URL and API key. */
export const N8N_API_CREDENTIAL_ID = 'n8nApiLocal01';
/** Webhook ids of the WeChat Pay Notification Trigger (example 6) and the Alipay Notification Trigger (example 7). */
export const PAYMENT_WEBHOOK_ID = { weChatPay: '8f3c2a6e-1b4d-4e7a-9c5f-2d6e8a0b1c31', alipay: '5a7d9e2b-3c4f-4b8a-8d1e-6f0a2c4e6b72' } as const;
export const PAYMENT_CREDENTIAL_ID = { weChatPay: 'wechatpayLocal01', alipay: 'alipayLocal01' } as const;
/** The Delivery Result trigger's webhook id in example 2. */
export const TRIGGER_WEBHOOK_ID = '451d04b0-749a-48af-9dc4-b22d467ed5f2';

/** Placeholders in examples/*.json replaced on import. */
const EXAMPLE_N8N_URL = 'http://127.0.0.1:5678/';
const EXAMPLE_SANDBOX_URL = 'http://127.0.0.1:3900';
const EXAMPLE_PAYMENTS_URL = 'http://127.0.0.1:3910';
const EXAMPLE_TOKEN = 'REPLACE-WITH-YOUR-SECRET-TOKEN';

export interface PlatformCredential {
	name: string;
	baseUrl: string;
	appId: string;
	appSecret: string;
	signingKey: string;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface ExampleVars {
	/** Where this n8n answers (the Notify URL in workflow 3 points at workflow 2's trigger here). */
	n8nPort: number;
	/** Secret Token of workflow 2's trigger, also in workflow 3's Notify URL. */
	token: string;
	/** The DingShang sandbox (fault-injection hints in the notes). */
	sandboxUrl?: string;
	/** The payment-provider sandboxes (workflows 6 and 7 pay through them). */
	paymentsUrl?: string;
}

/** examples/*.json with this instance's URL and token filled in. */
export function loadExamples(vars: ExampleVars): Array<{ id: string; name: string; [key: string]: unknown }> {
	const fill: Array<[string, string]> = [
		[EXAMPLE_N8N_URL, `${n8nUrl(vars.n8nPort)}/`],
		[EXAMPLE_TOKEN, vars.token],
		[EXAMPLE_SANDBOX_URL, vars.sandboxUrl ?? EXAMPLE_SANDBOX_URL],
		[EXAMPLE_PAYMENTS_URL, vars.paymentsUrl ?? EXAMPLE_PAYMENTS_URL],
	];
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => JSON.parse(fill.reduce((text, [from, to]) => text.split(from).join(to), readFileSync(join(EXAMPLES_DIR, file), 'utf8'))));
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

/** `n8n import:workflow` of these workflow objects (created or overwritten by id). */
export async function importWorkflows(s: N8nSettings, workflows: unknown[]): Promise<void> {
	const result = await withTempFile('workflows.json', JSON.stringify(workflows), async (path) => await n8nCli(s, ['import:workflow', `--input=${path}`]));
	if (result.code !== 0 || !/Successfully imported/i.test(result.stdout + result.stderr)) {
		throw new Error(`n8n import:workflow failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
	}
}

/** `n8n import:credentials` of these credentials (created or overwritten by id; n8n encrypts `data`). */
export async function importCredentials(s: N8nSettings, credentials: CredentialImport[]): Promise<void> {
	const result = await withTempFile('credentials.json', JSON.stringify(credentials), async (path) => await n8nCli(s, ['import:credentials', `--input=${path}`]));
	if (result.code !== 0 || !/Imported \d+ credential/i.test(result.stdout + result.stderr)) {
		throw new Error(`n8n import:credentials failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
	}
}

/** The examples' `dingShangApi` credential (id CREDENTIAL_ID). */
export function platformCredential(cred: PlatformCredential): CredentialImport {
	const data = { baseUrl: cred.baseUrl, appId: cred.appId, appSecret: cred.appSecret, signingKey: cred.signingKey };
	return { id: CREDENTIAL_ID, name: cred.name, type: 'dingShangApi', data };
}

/** The WeChat Pay and Alipay credentials of examples 6 and 7. */
export function paymentCredentials(creds: { weChatPay: Record<string, string>; alipay: Record<string, string> }, label: string): CredentialImport[] {
	return [
		{ id: PAYMENT_CREDENTIAL_ID.weChatPay, name: `WeChat Pay (${label})`, type: 'weChatPayApi', data: creds.weChatPay },
		{ id: PAYMENT_CREDENTIAL_ID.alipay, name: `Alipay (${label})`, type: 'alipayApi', data: creds.alipay },
	];
}

/** Workflow 9's `dingShangN8nApi` credential: this n8n's URL and an API key of its owner. */
export function n8nApiCredential(n8nPort: number, apiKey: string): CredentialImport {
	return { id: N8N_API_CREDENTIAL_ID, name: 'This n8n (local)', type: 'dingShangN8nApi', data: { baseUrl: n8nUrl(n8nPort), apiKey } };
}

type StoredWorkflow = { id: string; nodes?: Array<{ type: string }> };

/** The workflows n8n holds (`n8n export:workflow --all`), read before n8n starts. */
export async function storedWorkflows(s: N8nSettings): Promise<StoredWorkflow[]> {
	return await withTempFile('export.json', '', async (path) => {
		const result = await n8nCli(s, ['export:workflow', '--all', `--output=${path}`]);
		const text = readFileSync(path, 'utf8');
		if (result.code !== 0 && !/No workflows found/i.test(result.stdout + result.stderr)) throw new Error(`n8n export:workflow failed:\n${tail(result.stdout + result.stderr)}`);
		return text.trim() === '' ? [] : (JSON.parse(text) as StoredWorkflow[]);
	});
}

/** Our packages' node types now: `<package>.<node>` from each manifest, and each node's AI-tool variant. */
export function currentNodeTypes(): Set<string> {
	const types = new Set<string>();
	for (const pkg of PACKAGES) {
		const { nodes } = (JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n;
		for (const file of nodes) {
			const base = file.split('/').pop()?.replace(/\.node\.js$/, '') ?? '';
			const name = base.charAt(0).toLowerCase() + base.slice(1);
			types.add(`${pkg.name}.${name}`).add(`${pkg.name}.${name}Tool`);
		}
	}
	return types;
}

/** A node of one of our packages whose type no longer exists (e.g. one node split into a package of its own). */
export function goneTypes(workflow: StoredWorkflow, current = currentNodeTypes()): string[] {
	const ours = PACKAGES.map((p) => `${p.name}.`);
	return (workflow.nodes ?? []).map((n) => n.type).filter((type) => ours.some((prefix) => type.startsWith(prefix)) && !current.has(type));
}

/**
 * Imports the example workflows. With `onlyMissing`, ones that exist (maybe edited) are kept —
 * unless they hold a node type of ours that no longer exists: those are replaced by the example
 * as it is now. The merchant's own workflows are never touched. Returns the imported names.
 */
export async function importExamples(s: N8nSettings, vars: ExampleVars, opts: { onlyMissing: boolean }): Promise<string[]> {
	const stored = opts.onlyMissing ? await storedWorkflows(s) : [];
	const current = currentNodeTypes();
	const keep = new Set(stored.filter((wf) => goneTypes(wf, current).length === 0).map((wf) => wf.id));
	const workflows = loadExamples(vars).filter((wf) => !keep.has(wf.id));
	if (workflows.length === 0) return [];
	await importWorkflows(s, workflows);
	return workflows.map((wf) => wf.name);
}

/**
 * Brings the example workflows n8n holds up to date: every local URL at the current ports
 * (localUrls.ts).
 * Returns a note per workflow that could not be read or saved.
 */
export async function updateExamples(client: N8nClient, urls: LocalUrls): Promise<string[]> {
	const notes: string[] = [];
	for (const id of Object.values(WORKFLOW)) {
		try {
			const workflow = await client.api('GET', `/workflows/${id}`);
			if (repointWorkflow(workflow, urls)) await client.saveWorkflow(workflow);
		} catch (error) {
			if (error instanceof HttpError && error.status === 404) continue; // deleted by the merchant
			notes.push(`Workflow ${id}'s local URLs may still name an old port: ${(error as Error).message}`);
		}
	}
	return notes;
}
