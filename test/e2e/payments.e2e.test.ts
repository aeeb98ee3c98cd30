/**
 * Examples 6 (WeChat Pay) and 7 (Alipay) in real n8n, as `npm start` runs them: the provider
 * sandbox pays a DingShang sandbox order and pushes its signed notification to the workflow's
 * WeChat Pay / Alipay Notification Trigger; the workflow marks the order paid and dispenses; a failed
 * dispense ends in one provider refund. Real HTTP on 127.0.0.1 everywhere; afterAll stops all.
 */
import { randomUUID } from 'node:crypto';
import type { RunningPaymentSandbox } from '../../sandbox/payments';
import { HttpError, N8nClient, PAYMENT_WEBHOOK_ID, WECHAT_PAY, WORKFLOW, e2eMajors, sleep, startStack, type N8nMajor, type Stack } from '../../scripts/local';
import { nodeOutput } from '../helpers/runData';
import { SandboxClient, waitFor, type Json } from '../helpers/sandboxClient';

const MACHINE = '10000001';
const SETTLE_MS = 2000; // how long "no new execution" is watched for

let stack: Stack | undefined;
let payments: RunningPaymentSandbox | undefined;
let platform: SandboxClient;
let client: N8nClient;
let n8nLog = '';

/** Finished executions the payment trigger started (not the "Try it" runs), newest first. */
async function finished(workflowId: string): Promise<Json[]> {
	const done = (e: Json) => e.status !== 'running' && e.status !== 'new' && e.status !== 'waiting';
	return (await client.executions(workflowId)).filter((e: Json) => e.mode === 'webhook' && done(e));
}

async function setUp(major: N8nMajor): Promise<void> {
	stack = await startStack({ major, sandbox: { timeScale: 0.05 }, activate: [WORKFLOW.weChatPay, WORKFLOW.alipay], onLine: (_name, line) => (n8nLog += `${line}\n`) });
	({ client, payments } = stack);
	platform = new SandboxClient(stack.sandbox!);
	await paymentTriggersAnswer();
}

/** n8n 2.x activates in the background: wait until both examples' triggers run (401 to an unsigned probe). */
async function paymentTriggersAnswer(): Promise<void> {
	for (const provider of ['weChatPay', 'alipay'] as const) await stack?.webhookAnswers(`${PAYMENT_WEBHOOK_ID[provider]}/payment`, 401);
}

async function tearDown(): Promise<void> {
	await stack?.stop();
	stack = undefined;
	payments = undefined;
}

const PROVIDERS = [
	{
		provider: 'weChatPay' as const,
		workflow: WORKFLOW.weChatPay,
		acknowledged: (status: number, body: string) => status === 204 && body === '',
		// The WeChat Pay Notification Trigger's item: the transaction as WeChat Pay sends it, `attach` parsed.
		received: (tradeId: string, orderId: unknown) =>
			expect.objectContaining({ out_trade_no: tradeId, transaction_id: expect.any(String), trade_state: 'SUCCESS', amount: expect.objectContaining({ total: 350 }), attach: { machine_no: MACHINE, order_id: String(orderId) } }),
	},
	{
		provider: 'alipay' as const,
		workflow: WORKFLOW.alipay,
		acknowledged: (status: number, body: string) => status === 200 && body === 'success',
		// The Alipay Notification Trigger's item: the notification's parameters (no sign), `passback_params` parsed.
		received: (tradeId: string, orderId: unknown) =>
			expect.objectContaining({ out_trade_no: tradeId, trade_no: expect.any(String), trade_status: 'TRADE_SUCCESS', total_amount: '3.50', passback_params: { machine_no: MACHINE, order_id: String(orderId) } }),
	},
];

describe.each(e2eMajors())('payments in real n8n %s.x', (major) => {
	beforeAll(async () => await setUp(major), 300_000);
	afterAll(async () => await tearDown(), 60_000);

	describe.each(PROVIDERS)('$provider notification → dispense → refund (example workflow)', ({ provider, workflow, acknowledged, received }) => {
		const notifyUrl = () => `${stack?.n8n.url}/webhook/${PAYMENT_WEBHOOK_ID[provider]}/payment`;

		/** A DingShang order paid in the provider sandbox; resolves with the finished execution it started. */
		async function payOrder(): Promise<{ orderId: number; tradeId: string; run: Json }> {
			const { orderId, tradeId } = await platform.order(MACHINE);
			const before = (await finished(workflow)).length;
			const pushed = await (payments as RunningPaymentSandbox).pay({
				provider,
				out_trade_no: tradeId,
				amount: 3.5,
				attach: `machine_no=${MACHINE}&order_id=${orderId}`,
				notify_url: notifyUrl(),
			});
			expect(acknowledged(pushed.notify_status as number, String(pushed.notify_body ?? ''))).toBe(true);
			const runs = await waitFor(async () => {
				const all = await finished(workflow);
				return all.length > before ? all : undefined;
			}, 60_000, 250);
			return { orderId, tradeId, run: runs[0] };
		}

		it('a paid order is marked paid and dispensed once; nothing is refunded', async () => {
			const { orderId, tradeId, run } = await payOrder();
			expect(run.status).toBe('success');
			const runData = run.data.resultData.runData;
			expect(nodeOutput(runData, 'Payment received')).toEqual([received(tradeId, orderId)]);
			expect(nodeOutput(runData, 'Payment received')[0]).not.toHaveProperty('sign');
			expect(nodeOutput(runData, 'Dispense')).toEqual([expect.objectContaining({ order_id: orderId, outcome: 'dispensed' })]);
			expect(runData['Refund payment']).toBeUndefined();
			const { orders } = await platform.state();
			const order = orders.find((o: Json) => o.order_id === orderId);
			expect(order.status).toBe('SUCCESS');
			expect(order.records[0]).toMatchObject({ dispense_count: 1, status: 'IS_SUCCESS' });
			expect((payments as RunningPaymentSandbox).refunds().filter((r: Json) => r.out_trade_no === tradeId)).toHaveLength(0);
		});

		it('a failed dispense is refunded once at the provider with refund_key, the order set to Refund; a re-sent notification starts nothing', async () => {
			await platform.fault({ kind: 'deliveryFail', machineNo: MACHINE, floorStatus: '2', errorMsg: 'Goods are Stuck' });
			const { orderId, tradeId, run } = await payOrder();
			expect(run.status).toBe('success');
			const runData = run.data.resultData.runData;
			const [failed] = nodeOutput(runData, 'Dispense', 1);
			expect(failed).toMatchObject({ order_id: orderId, outcome: 'failed', refund_key: `dsr-${orderId}-${failed.record_id}` });
			expect(nodeOutput(runData, 'Refund payment')).toEqual([
				expect.objectContaining({ outcome: 'refunded', out_trade_no: tradeId, refund_key: failed.refund_key, refund_amount: 3.5 }),
			]);
			expect(nodeOutput(runData, 'Set status Refund')).toEqual([expect.objectContaining({ order_id: orderId, status: 2 })]);
			const refunds = (payments as RunningPaymentSandbox).refunds().filter((r: Json) => r.out_trade_no === tradeId);
			expect(refunds).toEqual([expect.objectContaining({ refund_key: failed.refund_key, attempts: 1 })]);

			// The provider pushes the same notification again (as it does when unsure we got it).
			const before = (await finished(workflow)).length;
			const again = await fetch(`${payments?.baseUrl}/__payments/notify-again`, { method: 'POST', body: JSON.stringify({ provider, out_trade_no: tradeId }) });
			const pushed = (await again.json()) as Json;
			expect(acknowledged(pushed.notify_status, String(pushed.notify_body ?? ''))).toBe(true);
			await sleep(SETTLE_MS);
			expect((await finished(workflow)).length).toBe(before);
			expect((payments as RunningPaymentSandbox).refunds().filter((r: Json) => r.out_trade_no === tradeId)).toEqual([expect.objectContaining({ attempts: 1 })]);
		});
	});

	// After the example runs above (their execution counts must not see these).
	describe('then', () => {
		it.each(PROVIDERS)('$provider: the "Try it" branch (n8n execute) creates an order and pays it; the notification dispenses it', async ({ provider, workflow, received }) => {
			const before = (await finished(workflow)).length;
			const run = await stack!.execute(workflow, 90_000);
			expect(run.data.resultData.error).toBeUndefined();
			const [created] = nodeOutput(run.data.resultData.runData, 'Create order');
			expect(created).toMatchObject({ machine_no: MACHINE, payment_attach: `machine_no=${MACHINE}&order_id=${created.order_id}` });
			const runs = await waitFor(async () => {
				const all = await finished(workflow);
				return all.length > before ? all : undefined;
			}, 60_000, 250);
			const runData = runs[0].data.resultData.runData;
			expect(nodeOutput(runData, 'Payment received')).toEqual([received(created.trade_id, created.order_id)]);
			expect(nodeOutput(runData, 'Dispense')).toEqual([expect.objectContaining({ order_id: created.order_id, outcome: 'dispensed' })]);
		});

		it('activating a WeChat Pay Notification Trigger whose public key does not parse fails naming the field, without the key text', async () => {
			const garbage = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8-not-a-key';
			const broken = await client.rest('POST', '/credentials', {
				name: 'WeChat Pay (broken public key)',
				type: 'weChatPayApi',
				data: { ...payments?.weChatPay, publicKey: garbage },
			});
			const created = await client.api('POST', '/workflows', {
				name: 'Payment trigger with a broken key',
				nodes: [
					{
						id: 'b1c2d3e4-0000-4000-8000-000000000001',
						name: 'Payment received',
						type: `${WECHAT_PAY}.weChatPayNotificationTrigger`,
						typeVersion: 1,
						position: [0, 0],
						webhookId: randomUUID(),
						parameters: {},
						credentials: { weChatPayApi: { id: broken.id, name: broken.name } },
					},
				],
				connections: {},
				settings: { executionOrder: 'v1' },
			});
			// n8n 1.x answers the activation call with the error; 2.41 activates in the background and logs it.
			const refusal =
				(await client.api('POST', `/workflows/${created.id}/activate`).then(
					() => undefined,
					(error: unknown) => (error instanceof HttpError ? JSON.stringify(error.body) : String(error)),
				)) ?? (await waitFor(async () => stack?.n8n.recentOutput().split('\n').find((line) => line.includes('WeChat Pay Public Key')), 30_000, 250).catch(() => undefined));
			expect(refusal).toContain('WeChat Pay Public Key');
			expect(refusal).not.toContain(garbage);
			expect(stack?.n8n.recentOutput()).not.toContain(garbage);
			await client.api('POST', `/workflows/${created.id}/deactivate`).catch(() => undefined); // 2.x may still be retrying it
			await paymentTriggersAnswer(); // the examples' triggers still answer
		});

		it('no key or secret of the provider credentials appears in n8n\'s log or in the executions (after both workflows ran)', async () => {
			expect(n8nLog).toContain('Editor is now accessible');
			const executions = JSON.stringify([...(await client.executions(WORKFLOW.weChatPay)), ...(await client.executions(WORKFLOW.alipay))]);
			expect(executions).toContain('refund_key'); // the executions of the tests above, with their data
			const pems = [payments?.weChatPay.privateKey, payments?.alipay.privateKey, payments?.weChatPay.publicKey, payments?.alipay.alipayPublicKey];
			const secrets = [String(payments?.weChatPay.apiV3Key), ...pems.map((pem) => String(pem).split('\n')[2])];
			for (const secret of secrets) {
				expect(secret.length).toBeGreaterThanOrEqual(32);
				expect(n8nLog).not.toContain(secret);
				expect(executions).not.toContain(secret);
			}
		});

		it('n8n stayed offline: no name lookup of an outside host in its whole log (loopback only)', () => {
			expect(n8nLog).toContain('Editor is now accessible');
			expect(n8nLog.match(/(ENOTFOUND|EAI_AGAIN) [^\s]+/g) ?? []).toEqual([]);
		});
	});
});
