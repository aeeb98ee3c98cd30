/**
 * Issue 23 in queue mode (startStack, scripts/local: Redis, Postgres, main + 2 workers + 1 webhook
 * process, real n8n 2.x): four WeChat Pay payments of example 6, each held at one moment — after
 * *Update Order* Paid, with the dispense command in flight, while *Wait for Result* polls, with
 * the provider refund in flight — then every worker running them SIGKILLed. n8n itself marks the
 * executions failed and wipes their data (no stalled-job retry); example 9's Unfinished Payments
 * trigger (on the main process, Dispense Window 0.1 min, so each is refunded — by its Refund Due
 * output and the WeChat Pay node, on a worker — unless it was dispensed) must end every order dispensed once or refunded once within 5 minutes. The test makes
 * no n8n API call that repairs anything: it pays, kills, starts fresh workers and reads the
 * sandboxes' counts.
 */
import type { RunningPaymentSandbox } from '../../sandbox/payments';
import { N8nClient, PAYMENT_WEBHOOK_ID, SHORT_QUEUE_LOCKS_ENV, WORKFLOW, startStack, type Stack } from '../../scripts/local';
import { armedFaults, payOrder, reportsAbout, waitEndedOnce, watcherWorkflow, type Paid } from '../helpers/recovery';
import { SandboxClient, waitFor, type Json } from '../helpers/sandboxClient';

const HOLD_MS = 90_000;
const RESOLVE_WITHIN_MS = 300_000;

let stack: Stack | undefined;
let payments: RunningPaymentSandbox | undefined;
let platform: SandboxClient;
let client: N8nClient;
const logs: string[] = [];

const NOTIFY_PATH = `${PAYMENT_WEBHOOK_ID.weChatPay}/payment`;
const notifyUrl = () => `${stack?.webhookUrls[0]}/webhook/${NOTIFY_PATH}`;

beforeAll(async () => {
	stack = await startStack({
		mode: 'queue',
		workers: 2,
		webhookProcesses: 1,
		env: SHORT_QUEUE_LOCKS_ENV,
		workflows: ({ paymentsUrl }) => [watcherWorkflow({ workflowIds: [WORKFLOW.weChatPay], windowMinutes: 0.1, checkEverySeconds: 5, paymentsUrl: paymentsUrl as string })],
		n8nApiCredential: true,
		activate: [WORKFLOW.weChatPay, WORKFLOW.unfinished],
		onLine: (name, line) => {
			if (/Unfinished Payments/.test(line)) logs.push(`${name}: ${line}`);
		},
	});
	({ client, payments } = stack);
	platform = new SandboxClient(stack.sandbox!);
	await stack.webhookAnswers(NOTIFY_PATH, 401);
}, 420_000);

afterAll(async () => {
	if (logs.length > 0) console.log(`[recovery queue] watcher log:\n${logs.slice(-30).join('\n')}`);
	await stack?.stop();
}, 120_000);

it('workers SIGKILLed at four moments of four payments: each order ends dispensed once or refunded once within 5 min, no person', async () => {
	const s = stack as Stack;
	const pay = payments as RunningPaymentSandbox;
	const state = async (): Promise<Json> => await (await fetch(`${pay.baseUrl}/__payments/state`)).json();
	const moments: Array<{ moment: string; paid: Paid }> = [];

	// 2 · the dispense command in flight (held before the platform runs it; run later, n8n gone or not).
	await platform.fault({ kind: 'delay', ms: HOLD_MS, when: 'before', match: { method: 'POST', path: '/api/openapi/v1/deliveries' } });
	moments.push({ moment: 'dispense command in flight', paid: await payOrder(platform, pay, '10000002', notifyUrl()) });
	await waitFor(async () => (await armedFaults(platform)) === 0, 60_000, 100);

	// 1 · after Update Order Paid: the platform set it Paid, its answer is held.
	const first = await platform.order('10000001');
	await platform.fault({ kind: 'delay', ms: HOLD_MS, when: 'after', match: { method: 'PUT', path: `/api/openapi/v1/orders/${first.orderId}` } });
	const pushed = await pay.pay({ provider: 'weChatPay', out_trade_no: first.tradeId, amount: 3.5, attach: `machine_no=10000001&order_id=${first.orderId}`, notify_url: notifyUrl() });
	expect(pushed.notify_status).toBe(204);
	moments.push({ moment: 'after Update Order Paid', paid: { orderId: first.orderId, recordId: first.recordIds[0], tradeId: first.tradeId, provider: 'weChatPay' } });
	await waitFor(async () => (await armedFaults(platform)) === 0 && (await platform.state()).orders.find((o: Json) => o.order_id === first.orderId)?.status === 'SUCCESS', 60_000, 100);

	// 3 · Wait for Result polling: the machine never reports (the platform times it out after 120 s).
	await platform.fault({ kind: 'deviceSilent', machineNo: '10000003' });
	const silent = await payOrder(platform, pay, '10000003', notifyUrl());
	moments.push({ moment: 'Wait for Result polling', paid: silent });
	await platform.waitRecord(silent.recordId, 'IS_DELIVERING', 60_000);

	// 4 · the provider refund in flight (the dispense failed; the refund is held, then made).
	await platform.fault({ kind: 'deliveryFail', machineNo: '10000004', floorStatus: '3', errorMsg: 'Feedback Error' });
	await fetch(`${pay.baseUrl}/__payments/slow-refunds`, { method: 'POST', body: JSON.stringify({ count: 1, ms: HOLD_MS }) });
	moments.push({ moment: 'provider refund in flight', paid: await payOrder(platform, pay, '10000004', notifyUrl()) });
	await waitFor(async () => (await state()).faults.slowRefunds.count === 0, 60_000, 100);

	// Every execution is still running on some worker: kill them all, like a host going down.
	const running = await waitFor(async () => {
		const all = await client.allExecutions(WORKFLOW.weChatPay, false);
		const live = all.filter((e: Json) => e.status === 'running');
		return live.length === 4 ? live : undefined;
	}, 30_000, 500);
	expect(running).toHaveLength(4);
	const killedAt = Date.now();
	await Promise.all(s.workers.map(async (w) => await w.kill('SIGKILL')));
	await s.startWorker();
	await s.startWorker();

	const ends = await Promise.all(moments.map(async ({ moment, paid }) => ({ moment, ...(await waitEndedOnce(platform, pay.baseUrl, paid, RESOLVE_WITHIN_MS - (Date.now() - killedAt))) })));
	for (const { moment, end, settled } of ends) {
		console.log(`[recovery queue] ${moment}: ${end} once (dispense count ${settled.dispenses}, refunded ${settled.refundedFen / 100} yuan by ${settled.refundKeys} key)`);
		expect(['dispensed', 'refunded']).toContain(end);
	}
	expect(Date.now() - killedAt).toBeLessThan(RESOLVE_WITHIN_MS + 30_000);
	// n8n itself ended them failed; the merchant sees one report per payment in workflow 9.
	const after = (await client.allExecutions(WORKFLOW.weChatPay, false)).filter((e: Json) => running.some((r: Json) => r.id === e.id));
	expect(after.every((e: Json) => ['error', 'crashed'].includes(e.status))).toBe(true);
	for (const { paid, moment } of moments) {
		const reports = await waitFor(async () => {
			const found = await reportsAbout(client, WORKFLOW.unfinished, paid.orderId);
			return found.length > 0 ? found : undefined;
		}, 60_000, 1000);
		expect(reports).toHaveLength(1);
		expect(['refund_due', 'already_dispensed', 'dispensed_late']).toContain(reports[0].outcome);
		if (reports[0].outcome === 'refund_due') expect(reports[0]).toMatchObject({ provider: 'weChatPay', out_trade_no: paid.tradeId, refund_key: `dsr-${paid.orderId}-${paid.recordId}` });
		console.log(`[recovery queue] ${moment}: report "${reports[0].message}"`);
	}
}, 900_000);
