/**
 * Issue 23 in regular mode, real n8n 2.x: `n8n start` SIGKILLed (its whole process group) in the
 * middle of a WeChat Pay payment of example 6, then started again. Two copies of example 9 (the
 * Unfinished Payments trigger, Dispense Window 60 min here, so a recovered payment is dispensed
 * late) watch it; nothing calls n8n's API to repair anything: the test only pays, kills, restarts
 * and reads the sandboxes' counts. Also: a slow but healthy execution is left alone, and bad
 * settings fail activation with a message that names the field and shows no key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';
import {
	HttpError,
	N8nClient,
	PAYMENT_WEBHOOK_ID,
	WORKFLOW,
	freePort,
	importCredential,
	importExamples,
	importN8nApiCredential,
	importPaymentCredentials,
	importWorkflows,
	installPackage,
	n8nInstall,
	packPackage,
	randomToken,
	sleep,
	startN8n,
	type N8nSettings,
	type RunningN8n,
} from '../../scripts/n8nLocal';
import { armedFaults, payOrder, reportsAbout, settledOf, waitEndedOnce, watcherWorkflow } from '../helpers/recovery';
import { SandboxClient, waitFor, type Json } from '../helpers/sandboxClient';

const SECOND_WATCHER = 'dsExampleUnfin02';
const DELIVERIES = { method: 'POST', path: '/api/openapi/v1/deliveries' };

let userFolder: string;
let sandbox: RunningSandbox | undefined;
let payments: RunningPaymentSandbox | undefined;
let platform: SandboxClient;
let n8n: RunningN8n | undefined;
let client: N8nClient;
let settings: N8nSettings;
let apiKey: string;
let n8nLog = '';

const notifyUrl = () => `${n8n?.url}/webhook/${PAYMENT_WEBHOOK_ID.weChatPay}/payment`;

async function startAndActivate(): Promise<void> {
	n8n = await startN8n(settings, { onLine: (line) => (n8nLog += `${line}\n`) });
	client = new N8nClient(n8n.url);
	expect(await client.useApiKey(apiKey)).toBe(true);
	// The payment trigger answers (401 to an unsigned probe) once n8n 2.x has activated it in the background.
	await waitFor(async () => (await fetch(notifyUrl(), { method: 'POST', body: '{}' })).status === 401, 60_000, 250);
}

/** Kills n8n like a crash and starts it again on the same database. */
async function crashAndRestart(): Promise<void> {
	await n8n?.kill('SIGKILL');
	await startAndActivate();
}

beforeAll(async () => {
	userFolder = mkdtempSync(join(tmpdir(), 'dingshang-recovery-'));
	sandbox = await startSandbox({ port: 0, log: false });
	payments = await startPaymentSandbox({ port: 0 });
	platform = new SandboxClient(sandbox);
	settings = { n8n: n8nInstall(2), userFolder, port: await freePort(), runnersBrokerPort: await freePort(), encryptionKey: randomToken(), logLevel: 'info' };
	await installPackage(await packPackage(userFolder, { build: false }), userFolder);
	await importCredential(settings, { name: 'DingShang (sandbox)', baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret, signingKey: sandbox.signKey });
	await importPaymentCredentials(settings, { weChatPay: { ...payments.weChatPay }, alipay: { ...payments.alipay } }, 'sandbox');
	await importExamples(settings, { n8nPort: settings.port, token: randomToken(), sandboxUrl: sandbox.baseUrl, paymentsUrl: payments.baseUrl }, { onlyMissing: false });
	const watch = { workflowIds: [WORKFLOW.weChatPay], windowMinutes: 60, checkEverySeconds: 5, sandboxUrl: sandbox.baseUrl };
	await importWorkflows(settings, [watcherWorkflow(watch), watcherWorkflow({ ...watch, id: SECOND_WATCHER, name: 'Second watcher (another process)' })]);
	n8n = await startN8n(settings, { onLine: (line) => (n8nLog += `${line}\n`) });
	client = new N8nClient(n8n.url);
	expect(await client.signIn()).toBe(true);
	apiKey = await client.createApiKey();
	// As npm start does: the credential is written while n8n runs, then the watchers are activated.
	await importN8nApiCredential(settings, apiKey);
	for (const id of [WORKFLOW.weChatPay, WORKFLOW.unfinished, SECOND_WATCHER]) await client.activateWorkflow(id);
	await waitFor(async () => (await fetch(notifyUrl(), { method: 'POST', body: '{}' })).status === 401, 60_000, 250);
}, 300_000);

afterAll(async () => {
	// What the watchers logged (nothing secret: errors are built without request options).
	const ours = n8nLog.split('\n').filter((l) => /Unfinished Payments|dingShangUnfinished/i.test(l));
	if (ours.length > 0) console.log(`[recovery] watcher log:\n${ours.slice(-30).join('\n')}`);
	await n8n?.stop();
	await payments?.close();
	await sandbox?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
}, 60_000);

afterEach(async () => {
	await platform.http.delete('/__sandbox/faults');
});

describe('regular mode: n8n killed mid-payment and started again', () => {
	it('killed while the dispense command is in flight: dispensed exactly once, nothing refunded, one report per watcher', async () => {
		// The command is held before the platform processes it — and processed even though n8n is gone.
		await platform.fault({ kind: 'delay', ms: 15_000, when: 'before', match: DELIVERIES });
		const paid = await payOrder(platform, payments as RunningPaymentSandbox, '10000001', notifyUrl());
		await waitFor(async () => (await armedFaults(platform)) === 0, 30_000, 100); // the command has left
		await crashAndRestart();

		const { end, settled, afterMs } = await waitEndedOnce(platform, (payments as RunningPaymentSandbox).baseUrl, paid, 300_000);
		expect(end).toBe('dispensed');
		expect(settled).toMatchObject({ dispenses: 1, refundedFen: 0, refundKeys: 0 });
		const reports = await waitFor(async () => {
			const both = [...(await reportsAbout(client, WORKFLOW.unfinished, paid.orderId)), ...(await reportsAbout(client, SECOND_WATCHER, paid.orderId))];
			return both.length >= 2 ? both : undefined;
		}, 120_000, 1000);
		expect(reports).toHaveLength(2);
		for (const report of reports) {
			expect(['dispensed_late', 'already_dispensed']).toContain(report.outcome);
			expect(report).toMatchObject({ order_id: paid.orderId, execution_status: 'crashed', out_trade_no: paid.tradeId });
			expect(report.message).toMatch(/dispensed/i);
			expect(report.messageZh).toMatch(/出货/);
		}
		console.log(`[recovery] regular mode, killed with the dispense in flight: dispensed once, ${Math.round(afterMs / 1000)} s after the restart; reports ${reports.map((r) => r.outcome).join(', ')}`);
	}, 420_000);

	it('killed while the provider refund is in flight: refunded exactly once, never dispensed', async () => {
		await platform.fault({ kind: 'deliveryFail', machineNo: '10000002', floorStatus: '2', errorMsg: 'Goods are Stuck' });
		const pay = payments as RunningPaymentSandbox;
		await fetch(`${pay.baseUrl}/__payments/slow-refunds`, { method: 'POST', body: JSON.stringify({ count: 1, ms: 15_000 }) });
		const paid = await payOrder(platform, pay, '10000002', notifyUrl());
		const slowLeft = async () => ((await (await fetch(`${pay.baseUrl}/__payments/state`)).json()) as Json).faults.slowRefunds.count;
		await waitFor(async () => (await slowLeft()) === 0, 60_000, 100); // the refund request has left
		await crashAndRestart();

		const { end, settled } = await waitEndedOnce(platform, pay.baseUrl, paid, 300_000);
		expect(end).toBe('refunded');
		expect(settled).toMatchObject({ dispenses: 1, dropped: 0, refundedFen: 350, refundKeys: 1, recordStatus: 'IS_FAILED' });
		const reports = await waitFor(async () => {
			const both = [...(await reportsAbout(client, WORKFLOW.unfinished, paid.orderId)), ...(await reportsAbout(client, SECOND_WATCHER, paid.orderId))];
			return both.length >= 2 ? both : undefined;
		}, 120_000, 1000);
		for (const report of reports) expect(['refunded', 'already_refunded']).toContain(report.outcome);
		expect(reports[0].refund_key).toBe(`dsr-${paid.orderId}-${paid.recordId}`);
	}, 420_000);

	it('a slow but healthy execution (the platform answers after 30 s) is never touched', async () => {
		await platform.fault({ kind: 'delay', ms: 30_000, when: 'after', match: DELIVERIES });
		const paid = await payOrder(platform, payments as RunningPaymentSandbox, '10000003', notifyUrl());
		const { end, settled } = await waitEndedOnce(platform, (payments as RunningPaymentSandbox).baseUrl, paid, 120_000);
		expect(end).toBe('dispensed');
		// The workflow itself finishes after the held answer; the watchers (every 5 s) saw it running only.
		await waitFor(async () => {
			const runs = (await client.allExecutions(WORKFLOW.weChatPay, false)).filter((e: Json) => e.mode === 'webhook');
			return runs.length > 0 && runs.every((e: Json) => !['running', 'new'].includes(e.status));
		}, 120_000, 1000);
		await sleep(12_000); // two more checks
		expect(settled.dispenses).toBe(1);
		expect(await reportsAbout(client, WORKFLOW.unfinished, paid.orderId)).toEqual([]);
		expect(await reportsAbout(client, SECOND_WATCHER, paid.orderId)).toEqual([]);
		expect((await settledOf(platform, (payments as RunningPaymentSandbox).baseUrl, paid)).refundedFen).toBe(0);
	}, 300_000);
});

describe('bad settings fail activation with a message naming the field', () => {
	const base = () => watcherWorkflow({ id: 'dsBadWatcher0001', name: 'Bad watcher', workflowIds: [WORKFLOW.weChatPay], windowMinutes: 3, checkEverySeconds: 15, sandboxUrl: (sandbox as RunningSandbox).baseUrl });

	/** Creates the workflow through the public API, tries to activate it, returns n8n's error text. */
	async function activationError(workflow: Json): Promise<string> {
		const created = await client.api('POST', '/workflows', { name: `${workflow.name} ${randomToken().slice(0, 6)}`, nodes: workflow.nodes, connections: workflow.connections, settings: { executionOrder: 'v1' } });
		try {
			await client.api('POST', `/workflows/${created.id}/activate`);
			// n8n 2.x activates in the background and keeps the activation error for the editor.
			expect(await client.signIn()).toBe(true);
			return await waitFor(async () => {
				const error = await client.rest('GET', `/active-workflows/error/${created.id}`).catch(() => undefined);
				return error ? JSON.stringify(error) : undefined;
			}, 30_000, 500);
		} catch (error) {
			if (error instanceof HttpError) return JSON.stringify(error.body);
			throw error;
		} finally {
			await client.api('DELETE', `/workflows/${created.id}`).catch(() => undefined);
		}
	}

	const setParam = (workflow: Json, values: Json) => {
		Object.assign(workflow.nodes.find((n: Json) => n.type.endsWith('.dingShangUnfinishedPaymentsTrigger')).parameters, values);
		return workflow;
	};

	it.each([
		['a window of 0', { dispenseWindowMinutes: 0 }, /Dispense Window \(Minutes\).*more than 0/],
		['a negative window', { dispenseWindowMinutes: -5 }, /Dispense Window \(Minutes\).*got -5/],
		['an unknown workflow', { workflowIds: ['noSuchWorkflow42'] }, /Payment Workflow Names or IDs.*no workflow with ID .*noSuchWorkflow42/],
	])('%s', async (_what, values, message) => {
		expect(await activationError(setParam(base(), values))).toMatch(message);
	});

	it('a wrong n8n API key: says the key was refused, and never shows it', async () => {
		const wrongKey = `wrong-${randomToken()}`;
		await importN8nApiCredential({ ...settings }, wrongKey).catch(() => undefined);
		try {
			const text = await activationError(base());
			expect(text).toMatch(/refused the API key/);
			expect(text).not.toContain(wrongKey);
			expect(n8nLog).not.toContain(wrongKey);
		} finally {
			await importN8nApiCredential(settings, apiKey);
		}
	});
});
