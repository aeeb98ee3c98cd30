/**
 * Issue 23 in regular mode, real n8n 2.x: `n8n start` SIGKILLed (its whole process group) in the
 * middle of a WeChat Pay payment of example 6, then started again. Two copies of example 9 (the
 * Unfinished Payments trigger, Dispense Window 60 min here, so a recovered payment is dispensed
 * late) watch it; nothing calls n8n's API to repair anything: the test only pays, kills, restarts
 * and reads the sandboxes' counts. Also: a slow but healthy execution is left alone, and bad
 * settings fail activation with a message that names the field and shows no key.
 */
import '../helpers/n8n/env'; // first: before n8n-core loads

import { TriggerContext } from 'n8n-core';
import { Workflow, type INode } from 'n8n-workflow';
import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { DingShangN8nApi } from '../../credentials/DingShangN8nApi.credentials';
import { DingShangUnfinishedPaymentsTrigger } from '../../nodes/DingShangUnfinishedPaymentsTrigger/DingShangUnfinishedPaymentsTrigger.node';
import { createAdditionalData } from '../helpers/n8n/additionalData';
import { TestCredentialsHelper } from '../helpers/n8n/credentials';
import { TestNodeTypes, credentialRefs } from '../helpers/n8n/nodeTypes';
import type { RunningPaymentSandbox } from '../../sandbox/payments';
import { N8nClient, PAYMENT_WEBHOOK_ID, WORKFLOW, randomToken, sleep, startStack, type Stack } from '../../scripts/local';
import { armedFaults, payOrder, refundsAbout, reportsAbout, settledOf, waitEndedOnce, watcherWorkflow, type Paid } from '../helpers/recovery';
import { SandboxClient, waitFor, type Json } from '../helpers/sandboxClient';

const SECOND_WATCHER = 'dsExampleUnfin02';
const DELIVERIES = { method: 'POST', path: '/api/openapi/v1/deliveries' };

let stack: Stack | undefined;
let payments: RunningPaymentSandbox | undefined;
let platform: SandboxClient;
let client: N8nClient;
let apiKey: string;
let n8nLog = '';

const NOTIFY_PATH = `${PAYMENT_WEBHOOK_ID.weChatPay}/payment`;
const notifyUrl = () => `${stack?.n8n.url}/webhook/${NOTIFY_PATH}`;

/** Kills n8n like a crash and starts it again on the same database; waits until the payment trigger runs again. */
async function crashAndRestart(): Promise<void> {
	await stack?.restartMain('SIGKILL');
	await stack?.webhookAnswers(NOTIFY_PATH, 401);
}

beforeAll(async () => {
	stack = await startStack({
		workflows: ({ paymentsUrl }) => {
			const watch = { workflowIds: [WORKFLOW.weChatPay], windowMinutes: 60, checkEverySeconds: 5, paymentsUrl: paymentsUrl as string };
			return [watcherWorkflow(watch), watcherWorkflow({ ...watch, id: SECOND_WATCHER, name: 'Second watcher (another process)' })];
		},
		// As npm start does: the n8n API credential is written while n8n runs, then the watchers are activated.
		n8nApiCredential: true,
		activate: [WORKFLOW.weChatPay, WORKFLOW.unfinished, SECOND_WATCHER],
		onLine: (_name, line) => (n8nLog += `${line}\n`),
	});
	({ client, payments } = stack);
	apiKey = stack.apiKey as string;
	platform = new SandboxClient(stack.sandbox!);
	await stack.webhookAnswers(NOTIFY_PATH, 401);
}, 300_000);

afterAll(async () => {
	// What the watchers logged (nothing secret: errors are built without request options).
	const ours = n8nLog.split('\n').filter((l) => /Unfinished Payments|dingShangUnfinished/i.test(l));
	if (ours.length > 0) console.log(`[recovery] watcher log:\n${ours.slice(-30).join('\n')}`);
	await stack?.stop();
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
		// The watchers no longer call a provider: Refund Due carries the refund to example 9's WeChat Pay node.
		for (const report of reports) expect(report).toMatchObject({ outcome: 'refund_due', provider: 'weChatPay', out_trade_no: paid.tradeId, refund_key: `dsr-${paid.orderId}-${paid.recordId}`, refund_amount: 3.5, total_amount: 3.5 });
		const refunds = await waitFor(async () => {
			const both = [...(await refundsAbout(client, WORKFLOW.unfinished, paid.tradeId)), ...(await refundsAbout(client, SECOND_WATCHER, paid.tradeId))];
			return both.length >= 2 ? both : undefined;
		}, 120_000, 1000);
		for (const refund of refunds) expect(['refunded', 'already_refunded']).toContain(refund.outcome);
		expect((await settledOf(platform, pay.baseUrl, paid)).refundKeys).toBe(1);
	}, 420_000);

	it('killed again while example 9 refunds a payment n8n left unfinished: the watcher sends it again with the same key, refunded exactly once', async () => {
		// The payment's own execution dies with the dispense in flight (it fails on the machine): the
		// watchers find it and send Refund Due on to the WeChat Pay node — whose refund is held, and
		// n8n is killed again with it in flight.
		await platform.fault({ kind: 'deliveryFail', machineNo: '10000003', floorStatus: '2', errorMsg: 'Goods are Stuck' });
		await platform.fault({ kind: 'delay', ms: 15_000, when: 'before', match: DELIVERIES });
		const pay = payments as RunningPaymentSandbox;
		const paid = await payOrder(platform, pay, '10000003', notifyUrl());
		await waitFor(async () => (await armedFaults(platform)) === 0, 30_000, 100); // the dispense command has left
		await fetch(`${pay.baseUrl}/__payments/slow-refunds`, { method: 'POST', body: JSON.stringify({ count: 1, ms: 20_000 }) });
		await crashAndRestart();
		const slowLeft = async () => ((await (await fetch(`${pay.baseUrl}/__payments/state`)).json()) as Json).faults.slowRefunds.count;
		await waitFor(async () => (await slowLeft()) === 0, 120_000, 100); // a watcher's refund request has left
		await crashAndRestart();

		const { end, settled } = await waitEndedOnce(platform, pay.baseUrl, paid, 300_000);
		expect(end).toBe('refunded');
		expect(settled).toMatchObject({ dispenses: 1, refundedFen: 350, refundKeys: 1, recordStatus: 'IS_FAILED' });
		// A watcher whose own execution died with the refund sent it on again, once, naming that execution.
		const retried = await waitFor(async () => {
			const both = [...(await reportsAbout(client, WORKFLOW.unfinished, paid.orderId)), ...(await reportsAbout(client, SECOND_WATCHER, paid.orderId))];
			const again = both.filter((r) => r.retry_of_execution !== undefined);
			return again.length > 0 ? again : undefined;
		}, 180_000, 1000);
		for (const report of retried) expect(report).toMatchObject({ outcome: 'refund_due', refund_key: `dsr-${paid.orderId}-${paid.recordId}` });
		const refunds = await waitFor(async () => {
			const all = [...(await refundsAbout(client, WORKFLOW.unfinished, paid.tradeId)), ...(await refundsAbout(client, SECOND_WATCHER, paid.tradeId))];
			return all.length >= retried.length ? all : undefined;
		}, 120_000, 1000);
		for (const refund of refunds) expect(['refunded', 'already_refunded', 'processing']).toContain(refund.outcome);
		expect((await settledOf(platform, pay.baseUrl, paid)).refundKeys).toBe(1);
	}, 600_000);

	it('a slow but healthy execution (the platform answers after 30 s) is never touched', async () => {
		await platform.fault({ kind: 'delay', ms: 30_000, when: 'after', match: DELIVERIES });
		const successesBefore = (await client.allExecutions(WORKFLOW.weChatPay, false)).filter((e: Json) => e.status === 'success').length;
		const startedAt = Date.now();
		const paid = await payOrder(platform, payments as RunningPaymentSandbox, '10000003', notifyUrl());
		const { end, settled } = await waitEndedOnce(platform, (payments as RunningPaymentSandbox).baseUrl, paid, 120_000);
		expect(end).toBe('dispensed');
		// The workflow itself finishes after the held answer; the watchers (every 5 s) saw it running only.
		await waitFor(async () => (await client.allExecutions(WORKFLOW.weChatPay, false)).filter((e: Json) => e.status === 'success').length > successesBefore, 120_000, 1000);
		expect(Date.now() - startedAt).toBeGreaterThan(15_000); // it really was slow (answer held 30 s; Dispense reads the record after its 20 s request timeout)
		await sleep(12_000); // two more checks
		expect(settled.dispenses).toBe(1);
		expect(await reportsAbout(client, WORKFLOW.unfinished, paid.orderId)).toEqual([]);
		expect(await reportsAbout(client, SECOND_WATCHER, paid.orderId)).toEqual([]);
		expect((await settledOf(platform, (payments as RunningPaymentSandbox).baseUrl, paid)).refundedFen).toBe(0);
	}, 300_000);
});

describe('a DingShang outage longer than Max Wait for Machine', () => {
	it('every platform call answers 500 for 100 s: the execution ends red; once DingShang answers, the payment is dispensed once', async () => {
		const pay = payments as RunningPaymentSandbox;
		const order = await platform.order('10000005');
		await platform.fault({ kind: 'http500', count: 100_000, when: 'before' });
		const paid: Paid = { orderId: order.orderId, recordId: order.recordIds[0], tradeId: order.tradeId, provider: 'weChatPay' };
		const pushed = await pay.pay({ provider: 'weChatPay', out_trade_no: order.tradeId, amount: 3.5, attach: `machine_no=10000005&order_id=${order.orderId}`, notify_url: notifyUrl() });
		expect(pushed.notify_status).toBe(204);
		await sleep(100_000); // longer than Max Wait for Machine (90 s); the watchers keep reading and wait
		expect((await settledOf(platform, (payments as RunningPaymentSandbox).baseUrl, paid)).orderStatus).toBe('NOTPAY');
		await platform.http.delete('/__sandbox/faults');
		const { end, settled, afterMs } = await waitEndedOnce(platform, (payments as RunningPaymentSandbox).baseUrl, paid, 180_000);
		expect(end).toBe('dispensed');
		expect(settled).toMatchObject({ dispenses: 1, refundedFen: 0 });
		const reports = await waitFor(async () => {
			const found = await reportsAbout(client, WORKFLOW.unfinished, paid.orderId);
			return found.length > 0 ? found : undefined;
		}, 60_000, 1000);
		expect(reports).toEqual([expect.objectContaining({ execution_status: 'error', order_id: paid.orderId })]);
		expect(['dispensed_late', 'already_dispensed']).toContain(reports[0].outcome);
		console.log(`[recovery] DingShang answering 500 for 100 s: dispensed once, ${Math.round(afterMs / 1000)} s after it answered again`);
	}, 420_000);
});

describe('bad settings fail activation with a message naming the field, before anything is read', () => {
	/**
	 * The trigger activated through n8n-core's own TriggerContext in this process, against the real
	 * n8n above (n8n 2.x retries a failing activation in the background for a while before it shows
	 * the error, so the message is read at the source).
	 */
	async function activationError(values: Json, n8nApi: Json = { baseUrl: stack?.n8n.url, apiKey }): Promise<string> {
		const type = 'n8n-nodes-dingshang.dingShangUnfinishedPaymentsTrigger';
		const trigger = new DingShangUnfinishedPaymentsTrigger();
		const sb = stack?.sandbox as NonNullable<Stack['sandbox']>;
		const helper = new TestCredentialsHelper(
			{ dingShangN8nApi: new DingShangN8nApi(), dingShangApi: new DingShangApi() },
			{ dingShangN8nApi: n8nApi, dingShangApi: { baseUrl: sb.baseUrl, appId: sb.appId, appSecret: sb.appSecret, signingKey: sb.signKey } },
			{ [type]: trigger },
		);
		const node: INode = {
			id: 'watcher',
			name: 'Unfinished payments',
			type,
			typeVersion: 1,
			position: [0, 0],
			parameters: { workflowIds: [WORKFLOW.weChatPay], dispenseWindowMinutes: 3, checkEverySeconds: 15, lookBackHours: 24, ...values },
			credentials: credentialRefs(['dingShangN8nApi', 'dingShangApi']),
		};
		const workflow = new Workflow({ id: 'activation-check', name: 'activation check', nodes: [node], connections: {}, active: true, nodeTypes: new TestNodeTypes({ [type]: trigger }), staticData: {}, settings: { executionOrder: 'v1' } });
		const ctx = new TriggerContext(workflow, node, createAdditionalData(helper), 'trigger', 'activate', () => undefined);
		try {
			const started = await trigger.trigger.call(ctx);
			await started.closeFunction?.();
			return '';
		} catch (error) {
			return `${(error as Error).message} ${JSON.stringify(error)}`;
		}
	}

	it('good settings activate', async () => {
		expect(await activationError({})).toBe('');
	});

	it.each([
		['a window of 0', { dispenseWindowMinutes: 0 }, /Invalid "Dispense Window \(Minutes\)": must be more than 0/],
		['a negative window', { dispenseWindowMinutes: -5 }, /Invalid "Dispense Window \(Minutes\)".*got -5/],
		['an unknown workflow', { workflowIds: ['noSuchWorkflow42'] }, /Invalid "Payment Workflow Names or IDs": this n8n has no workflow with ID "noSuchWorkflow42"/],
	])('%s', async (_what, values, message) => {
		expect(await activationError(values)).toMatch(message);
	});

	it('a wrong n8n API key: says the key was refused, and never shows it', async () => {
		const wrongKey = `wrong-${randomToken()}`;
		const text = await activationError({}, { baseUrl: stack?.n8n.url, apiKey: wrongKey });
		expect(text).toMatch(/refused the API key/);
		expect(text).not.toContain(wrongKey);
		expect(n8nLog).not.toContain(wrongKey);
	});
});
