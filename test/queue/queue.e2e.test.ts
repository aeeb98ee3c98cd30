/**
 * n8n 2.x in queue mode, as a merchant with many machines runs it (scripts/local, startStack): Redis,
 * Postgres, a main process, 2 workers and 2 webhook processes, this package from its tarball, the
 * example workflows 1 (payment → dispense), 2 (delivery result → refund) and 6 (WeChat Pay → dispense
 * → provider refund) against the sandboxes.
 * Duplicates are delivered to both webhook processes at once; what must hold is the effect:
 * every record dispensed once, every failed record refunded once (the provider stand-in counts
 * refunds by refund_key), no answered result lost. Figures are printed for docs/queue-mode.md.
 * afterAll stops every process; the guards kill them if this worker dies first.
 */
import { dedupeKey, rememberedId } from '../../nodes/DingShangDeliveryResultTrigger/normalizeCallback';
import { createPrivateKey } from 'node:crypto';
import { encryptResource, signWeChatBody } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import type { RunningPaymentSandbox } from '../../sandbox/payments';
import { WECHAT_MCH_ID } from '../../sandbox/payments/keys';
import { N8nClient, PAYMENT_WEBHOOK_ID, TRIGGER_WEBHOOK_ID, WORKFLOW, sleep, startStack, type Stack } from '../../scripts/local';
import { nodeOutput } from '../helpers/runData';
import { SandboxClient, waitFor, type Json } from '../helpers/sandboxClient';

const MACHINE = '10000001'; // electronic lock: the shortest dwell
const SETTLE_MS = 2000;

let payments: RunningPaymentSandbox | undefined;
let platform: SandboxClient;
let stack: Stack | undefined;
let client: N8nClient;
let token: string;
const workerLines = new Map<string, string[]>();

const triggerUrl = (base: string, machineNo = MACHINE) => `${base}/webhook/${TRIGGER_WEBHOOK_ID}/delivery-result?token=${token}&machine_no=${machineNo}`;
const paymentUrl = (base: string) => `${base}/webhook/dingshang-payment`;
const weChatPayUrl = (base: string) => `${base}/webhook/${PAYMENT_WEBHOOK_ID.weChatPay}/payment`;

async function post(url: string, body: Json): Promise<number> {
	const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
	await answer.arrayBuffer();
	return answer.status;
}

/** The output items of one node in an execution. */
const executionOutput = (execution: Json, node: string, output = 0): Json[] => nodeOutput(execution.data?.resultData?.runData, node, output);

const finished = (executions: Json[]) => executions.filter((e) => !['running', 'new', 'waiting'].includes(e.status));

/** Runs `tasks` with at most `width` at once. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
	const results: T[] = new Array(tasks.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: width }, async () => {
			while (next < tasks.length) {
				const i = next++;
				results[i] = await tasks[i]();
			}
		}),
	);
	return results;
}

/** Finished executions of workflow 2 whose trigger item is about one of `orderIds`, once `count` are there. */
async function refundWorkflowRuns(orderIds: number[], count: number, timeoutMs = 60_000): Promise<Json[]> {
	const wanted = new Set(orderIds);
	const mine = async () => finished(await client.allExecutions(WORKFLOW.refund)).filter((e) => wanted.has(executionOutput(e, 'Delivery result')[0]?.order_id));
	await waitFor(async () => (await mine()).length >= count, timeoutMs, 500);
	await sleep(SETTLE_MS);
	return await mine();
}

/** How many of these results the trigger's static data (as saved in Postgres) remembers. */
async function rememberedOf(bodies: Json[]): Promise<number> {
	const workflow = await client.api('GET', `/workflows/${WORKFLOW.refund}`);
	const text = String(workflow.staticData?.['node:Delivery result']?.seenResults ?? '');
	const ids = new Set(text.split('\n').map((line) => line.split(' ')[1]));
	return bodies.filter((body) => ids.has(rememberedId(dedupeKey(body)))).length;
}

beforeAll(async () => {
	stack = await startStack({
		mode: 'queue',
		workers: 2,
		webhookProcesses: 2,
		sandbox: { timeScale: 0.05 },
		activate: [WORKFLOW.refund, WORKFLOW.paid, WORKFLOW.weChatPay],
		onLine: (name, line) => {
			if (!name.startsWith('worker')) return;
			const lines = workerLines.get(name) ?? [];
			lines.push(line);
			workerLines.set(name, lines.slice(-200));
		},
	});
	({ client, payments, token } = stack);
	platform = new SandboxClient(stack.sandbox!);
	// n8n 2.x activates in the background: wait until both webhook processes run our triggers (401 unsigned).
	await stack.webhookAnswers(`${TRIGGER_WEBHOOK_ID}/delivery-result`, 401);
	await stack.webhookAnswers(`${PAYMENT_WEBHOOK_ID.weChatPay}/payment`, 401);
}, 900_000);

afterAll(async () => {
	await stack?.stop();
}, 120_000);

describe('queue mode (n8n 2.x, Redis, Postgres, 2 workers, 2 webhook processes)', () => {
	it('failure results, each delivered 6 times at once over both webhook processes: one refund per record, never a second', async () => {
		const orders: Array<{ orderId: number; recordIds: number[] }> = [];
		for (let i = 0; i < 8; i++) orders.push(await platform.paidOrder(MACHINE));
		const results = orders.map((o) => ({ method: 'device.delivery.response', order_id: o.orderId, record_id: o.recordIds[0], deliver_status: '0', error_msg: 'Goods are Stuck', floor_status: '2' }));
		const bases = (stack as Stack).webhookUrls;
		const statuses = await Promise.all(results.flatMap((body) => [0, 1, 2].flatMap(() => bases.map(async (base) => await post(triggerUrl(base), body)))));
		expect(statuses.every((s) => s === 200)).toBe(true);

		const orderIds = orders.map((o) => o.orderId);
		const runs = await refundWorkflowRuns(orderIds, orders.length);
		expect(runs.every((e) => e.status === 'success')).toBe(true);
		const { orders: platformOrders } = await platform.state();
		const refunds = (payments as RunningPaymentSandbox).plainRefunds();
		for (const order of orders) {
			const key = `dsr-${order.orderId}-${order.recordIds[0]}`;
			const mine = runs.filter((e) => executionOutput(e, 'Delivery result')[0].order_id === order.orderId);
			expect(mine.length).toBeGreaterThanOrEqual(1);
			// Every copy carries the same key; the provider refunded the record once.
			for (const e of mine) expect(executionOutput(e, 'Delivery result')[0].refund_key).toBe(key);
			expect(refunds.filter((r: Json) => r.order_id === order.orderId)).toEqual([expect.objectContaining({ refund_key: key })]);
			const refunded = mine.filter((e) => executionOutput(e, 'Refund payment')[0]?.refunded === true);
			expect(refunded).toHaveLength(1);
			// A copy that found the order already Refund stopped before the provider.
			for (const e of mine) {
				const [update] = executionOutput(e, 'Set status Refund');
				if (update.changed === false) expect(e.data.resultData.runData['Refund payment']).toBeUndefined();
			}
			expect(platformOrders.find((o: Json) => o.order_id === order.orderId).status).toBe('REFUND');
		}
		const attempts = refunds.filter((r: Json) => orderIds.includes(r.order_id)).reduce((sum: number, r: Json) => sum + r.attempts, 0);
		console.log(
			`[queue] ${results.length} failure results × 6 copies over 2 webhook processes: ${runs.length} executions ` +
				`(${(runs.length / results.length).toFixed(2)} per result), ${attempts} refund calls reached the provider, ${results.length} refunds made`,
		);
	}, 180_000);

	it('a burst of 120 distinct results (20 in flight, both processes): every answered result is an execution; afterwards the store remembers them all', async () => {
		const bases = (stack as Stack).webhookUrls;
		const first = 900_000; // order ids no sandbox order has: the success branch sends nothing to the platform
		const bodies = Array.from({ length: 120 }, (_, i) => ({ method: 'device.delivery.response', order_id: first + i, record_id: 1, deliver_status: '1', error_msg: '', floor_status: '1' }));
		const statuses = await inParallel(bodies.map((body, i) => async () => await post(triggerUrl(bases[i % 2]), body)), 20);
		expect(statuses.every((s) => s === 200)).toBe(true);
		const ids = bodies.map((b) => b.order_id);
		const runs = await refundWorkflowRuns(ids, bodies.length, 120_000);
		const perResult = new Map<number, number>();
		for (const e of runs) {
			const id = executionOutput(e, 'Delivery result')[0].order_id as number;
			perResult.set(id, (perResult.get(id) ?? 0) + 1);
		}
		expect([...perResult.keys()].sort()).toEqual([...ids].sort()); // none lost
		expect([...perResult.values()].every((n) => n === 1)).toBe(true); // distinct results, one each

		const remembered = await rememberedOf(bodies);
		// Traffic goes on: one more result to each process, a second apart — each save merges in
		// what the other process's concurrent saves dropped.
		for (const [i, base] of bases.entries()) {
			await post(triggerUrl(base), { ...bodies[0], order_id: first + 500 + i });
			await sleep(1000);
		}
		const rememberedLater = await rememberedOf(bodies);
		console.log(`[queue] burst: the store remembered ${remembered}/${bodies.length} results right after it, ${rememberedLater}/${bodies.length} after one more result per process`);
		expect(rememberedLater).toBe(bodies.length);
		const before = (await client.allExecutions(WORKFLOW.refund, false)).length;
		// Every result again, to the process that did NOT answer it first.
		const again = await inParallel(bodies.map((body, i) => async () => await post(triggerUrl(bases[(i + 1) % 2]), body)), 20);
		expect(again.every((s) => s === 200)).toBe(true);
		await sleep(SETTLE_MS * 2);
		const repeated = (await client.allExecutions(WORKFLOW.refund, false)).length - before;
		console.log(`[queue] burst: ${bodies.length} distinct results → ${runs.length} executions; the same results re-sent to the other process → ${repeated} new executions`);
		expect(repeated).toBe(0);
	}, 300_000);

	it('one paid order notified 6 times at once over both webhook processes, and 3 orders of one machine at once on both workers: every record dispensed exactly once', async () => {
		const bases = (stack as Stack).webhookUrls;
		const orders: Array<{ orderId: number; recordIds: number[] }> = [];
		for (let i = 0; i < 3; i++) orders.push(await platform.order(MACHINE));
		const before = (await client.allExecutions(WORKFLOW.paid, false)).length;
		// Order 0: six copies of its payment notification; orders 1 and 2: one each, to different processes.
		const sends = [
			...[0, 1, 2].flatMap(() => bases.map((base) => ({ base, order: orders[0] }))),
			{ base: bases[0], order: orders[1] },
			{ base: bases[1], order: orders[2] },
		];
		const statuses = await Promise.all(sends.map(async (s) => await post(paymentUrl(s.base), { machine_no: MACHINE, order_id: s.order.orderId })));
		expect(statuses.every((s) => s === 200)).toBe(true);

		const runs = await waitFor(async () => {
			const all = await client.allExecutions(WORKFLOW.paid);
			return all.length >= before + sends.length && finished(all).length === all.length ? all.slice(0, all.length - before) : undefined;
		}, 120_000, 500);
		expect(runs.map((e) => e.status)).toEqual(sends.map(() => 'success'));
		const ranOn = new Set([...workerLines].filter(([, lines]) => lines.some((l) => /Worker started execution/.test(l))).map(([name]) => name));
		expect(ranOn.size).toBe(2); // both workers took jobs

		const { orders: platformOrders } = await platform.state();
		for (const order of orders) {
			const o = platformOrders.find((p: Json) => p.order_id === order.orderId);
			expect(o.status).toBe('SUCCESS');
			for (const record of o.records) expect(record).toMatchObject({ dispense_count: 1, status: 'IS_SUCCESS' });
		}
		// The copies of order 0: one marked it paid, the others found it paid (changed: false); none failed or refunded.
		const copies = runs.filter((e) => executionOutput(e, 'Mark order paid')[0]?.order_id === orders[0].orderId);
		expect(copies).toHaveLength(6);
		expect(copies.filter((e) => executionOutput(e, 'Mark order paid')[0].changed === true).length).toBeGreaterThanOrEqual(1);
		for (const e of runs) expect(e.data.resultData.runData['Set status Refund']).toBeUndefined();
		console.log(`[queue] 6 copies of one payment + 2 more orders of machine ${MACHINE}: ${runs.length} executions on ${ranOn.size} workers, each record dispensed once`);
	}, 240_000);

	it('a WeChat Pay notification (example 6) delivered 6 times at once over both webhook processes, the dispense failing: dispensed once, refunded once at the provider', async () => {
		const bases = (stack as Stack).webhookUrls;
		const pay = payments as RunningPaymentSandbox;
		const { orderId, tradeId } = await platform.order(MACHINE);
		await platform.fault({ kind: 'deliveryFail', machineNo: MACHINE, floorStatus: '2', errorMsg: 'Goods are Stuck' });
		// The sandbox records the payment (its own push goes nowhere); the copies are signed here with its platform key.
		const { transaction_id } = await pay.pay({ provider: 'weChatPay', out_trade_no: tradeId, amount_fen: 350, notify_url: 'http://127.0.0.1:9/nowhere' });
		const keys = pay.keys();
		const transaction = {
			mchid: WECHAT_MCH_ID, out_trade_no: tradeId, transaction_id, trade_state: 'SUCCESS', success_time: '2026-11-30T18:00:00+08:00',
			attach: `machine_no=${MACHINE}&order_id=${orderId}`, payer: { openid: 'o-queue' }, amount: { total: 350, payer_total: 350, currency: 'CNY' },
		};
		const body = JSON.stringify({ id: 'EV-queue-1', event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: encryptResource(keys.apiV3Key, JSON.stringify(transaction), 'transaction', 'transaction') });
		const headers = { 'content-type': 'application/json', ...signWeChatBody(createPrivateKey(keys.weChatPlatformPrivateKey), keys.publicKeyId, body) };
		const before = finished(await client.allExecutions(WORKFLOW.weChatPay, false)).length;
		const statuses = await Promise.all(
			[0, 1, 2].flatMap(() => bases.map(async (base) => (await fetch(weChatPayUrl(base), { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) })).status)),
		);
		expect(statuses).toEqual([204, 204, 204, 204, 204, 204]);

		await waitFor(async () => finished(await client.allExecutions(WORKFLOW.weChatPay, false)).length > before, 120_000, 500);
		await sleep(SETTLE_MS * 2);
		const all = finished(await client.allExecutions(WORKFLOW.weChatPay)); // newest first
		const runs = all.slice(0, all.length - before);
		expect(runs.length).toBeGreaterThanOrEqual(1);
		expect(runs.every((e) => e.status === 'success')).toBe(true);
		const order = (await platform.state()).orders.find((o: Json) => o.order_id === orderId);
		expect(order.records[0]).toMatchObject({ dispense_count: 1 });
		const refunds = pay.refunds().filter((r) => r.out_trade_no === tradeId);
		expect(refunds).toEqual([expect.objectContaining({ refund_key: `dsr-${orderId}-${order.records[0].record_id}`, refund_fen: 350 })]);
		// Copies that slipped past deduplication (both processes at the same instant) meet the read-first
		// and the provider's refund key: whatever they say, the provider refunded once (above).
		const outcomes = runs.flatMap((e) => executionOutput(e, 'Refund payment').map((item) => item.outcome));
		expect(outcomes).toContain('refunded');
		expect(outcomes.every((o) => o === 'refunded' || o === 'already_refunded')).toBe(true);
		console.log(`[queue] one WeChat Pay notification × 6 over 2 webhook processes: ${runs.length} execution(s), 1 dispense, refund outcomes ${outcomes.join(', ')}`);
	}, 240_000);

	it('a worker killed (SIGKILL) right after the dispense command left, then the execution retried: dispensed once', async () => {
		const s = stack as Stack;
		const order = await platform.order(MACHINE);
		// The platform executes the command, then its answer is held back: the worker is mid-request.
		await platform.fault({ kind: 'delay', ms: 20_000, when: 'after', match: { method: 'POST', path: '/api/openapi/v1/deliveries' } });
		for (const lines of workerLines.values()) lines.length = 0;
		expect(await post(paymentUrl(s.webhookUrls[0]), { machine_no: MACHINE, order_id: order.orderId })).toBe(200);
		await waitFor(async () => (await platform.record(order.recordIds[0]))?.dispense_count === 1, 60_000, 100);
		const [busy] = [...workerLines].find(([, lines]) => lines.some((l) => /Worker started execution/.test(l))) ?? [];
		const index = s.workers.findIndex((_, i) => `worker${i + 1}` === busy);
		expect(index).toBeGreaterThanOrEqual(0);
		await s.workers[index].kill('SIGKILL');

		// n8n does not re-run a dead worker's job (its queue allows no stalled retries): the merchant retries it.
		const [crashed] = await waitFor(async () => {
			const all = await client.allExecutions(WORKFLOW.paid, false);
			return all.filter((e) => e.status !== 'success' && e.status !== 'new').length > 0 ? all : undefined;
		}, 30_000, 500);
		expect(['running', 'crashed', 'error']).toContain(crashed.status);
		await platform.http.delete('/__sandbox/faults');
		const retryId = await client.retryExecution(String(crashed.id));
		const retried = await waitFor(async () => {
			const all = await client.allExecutions(WORKFLOW.paid);
			const run = all.find((e) => String(e.id) === retryId);
			return run && !['running', 'new'].includes(run.status) ? run : undefined;
		}, 120_000, 500);
		expect(retried.status).toBe('success');
		expect(executionOutput(retried, 'Dispense')).toEqual([expect.objectContaining({ order_id: order.orderId, outcome: 'nothing_pending' })]);
		await sleep(SETTLE_MS);
		const record = await platform.record(order.recordIds[0]);
		expect(record).toMatchObject({ dispense_count: 1, status: 'IS_SUCCESS' });
		await s.startWorker(); // back to two workers
	}, 240_000);
});
