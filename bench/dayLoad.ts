/**
 * Bench scenario 10 (issue 33) and its e2e: a simulated day in real n8n 2.41, time-scaled. Examples 6
 * and 7 take WeChat Pay / Alipay payments on many machines; a few dispenses fail (refunded in-run),
 * one refund call is refused (nobody retries it), two notifications are sent twice, n8n is SIGKILLed
 * with payments in flight (no Unfinished Payments watcher running: a double fault) and stays down
 * while the providers' whole re-send schedules run out. The next morning example 10 reconciles each
 * day's bills. Then every paid row is checked from the sandboxes' own counts: dispensed exactly once
 * or refunded exactly once (never both) — `unaccounted` must be 0.
 *
 * The payment sandbox's clock starts three days back, so the bills' days are over by the morning
 * of the reconciliation and every payment is older than the Dispense Window by then.
 */
import { PAYMENT_WEBHOOK_ID, WORKFLOW, loadExamples, sleep, startStack, type Stack } from '../scripts/local';
import { SandboxClient, waitFor, type Json } from '../test/helpers/sandboxClient';
import { nodeOutput } from '../test/helpers/runData';

type Provider = 'weChatPay' | 'alipay';

export interface DayOptions {
	payments: number;
	machines: number;
	log: (line: string) => void;
}

export interface DayResult {
	payments: number;
	machines: number;
	/** Payments the providers took whose notification never reached n8n (n8n down past the re-sends). */
	lost: number;
	/** Payments with no end: not dispensed once and not refunded once. */
	unaccounted: number;
	doubleDispenses: number;
	doubleRefunds: number;
	/** Dispensed and refunded. */
	both: number;
	dispensed: number;
	refunded: number;
	downSeconds: number;
	/** Example 10's summary item of each bill day. */
	summaries: Json[];
	notes: string[];
}

const PRICE = 2; // product 101 on a new sandbox machine
const CHINA_MS = 8 * 3_600_000;
const chinaDate = (ms: number) => new Date(ms + CHINA_MS).toISOString().slice(0, 10);

interface Paid {
	provider: Provider;
	orderId: number;
	recordId: number;
	tradeId: string;
	amount: number;
}

/** One order on `machine` paid at the provider sandbox; its notification goes to n8n (or nowhere, when n8n is down). */
async function pay(stack: Stack, platform: SandboxClient, machine: string, provider: Provider, amount = PRICE): Promise<Paid & { notified: boolean }> {
	const { orderId, recordIds, tradeId } = await platform.order(machine);
	const notifyUrl = `${stack.webhookUrls[0]}/webhook/${PAYMENT_WEBHOOK_ID[provider]}/payment`;
	const pushed = await stack.payments!.pay({ provider, out_trade_no: tradeId, amount, attach: `machine_no=${machine}&order_id=${orderId}`, notify_url: notifyUrl });
	return { provider, orderId, recordId: recordIds[0], tradeId, amount, notified: pushed.notify_status === 200 || pushed.notify_status === 204 };
}

/** Runs `count` tasks, `lanes` at a time. */
async function inLanes<T>(count: number, lanes: number, task: (i: number) => Promise<T>): Promise<T[]> {
	const out: T[] = [];
	let next = 0;
	await Promise.all(Array.from({ length: lanes }, async () => {
		while (next < count) {
			const i = next++;
			out[i] = await task(i);
		}
	}));
	return out;
}

/** Waits (bounded) until n8n runs none of the payment workflows' executions. */
async function settled(stack: Stack, timeoutMs: number): Promise<void> {
	await waitFor(async () => {
		for (const id of [WORKFLOW.weChatPay, WORKFLOW.alipay]) {
			const page = await stack.client.api('GET', `/executions?workflowId=${id}&status=running&limit=1`);
			if ((page.data as Json[]).length > 0) return false;
		}
		return true;
	}, timeoutMs, 1000);
	await sleep(2000); // a result push in flight
}

/** Example 10 for one bill day (its *Bill date* fixed), run by `n8n execute`; returns its summary item. */
async function reconcile(stack: Stack, billDate: string, examples: Json[]): Promise<Json> {
	const workflow = structuredClone(examples.find((wf) => wf.id === WORKFLOW.reconcile));
	workflow.id = `dsDay${billDate.replace(/-/g, '')}`;
	workflow.name = `Reconciliation of ${billDate}`;
	const date = workflow.nodes.find((n: Json) => n.name === 'Bill date');
	date.parameters.assignments.assignments[0].value = billDate;
	await stack.importWorkflows([workflow]);
	const run = await stack.execute(workflow.id, 600_000);
	return nodeOutput(run.data.resultData.runData, 'Daily summary')[0];
}

export async function simulateDay(opts: DayOptions): Promise<DayResult> {
	let examples: Json[] = [];
	const stack = await startStack({
		sandbox: { timeScale: 0.02 },
		examples: 'all',
		workflows: (vars) => ((examples = loadExamples(vars)), []),
		activate: [WORKFLOW.weChatPay, WORKFLOW.alipay],
	});
	try {
		const platform = new SandboxClient(stack.sandbox!);
		const payments = stack.payments!;
		payments.clock.advance(-3 * 86_400); // the day being simulated is three days back
		const machines = Array.from({ length: opts.machines }, (_, i) => String(60000001 + i));
		for (const m of machines) await platform.addMachine(m, 'electronic_lock', 1000);
		for (const p of ['weChatPay', 'alipay'] as const) await stack.webhookAnswers(`${PAYMENT_WEBHOOK_ID[p]}/payment`, 401);
		const provider = (i: number): Provider => (i % 2 === 0 ? 'weChatPay' : 'alipay');
		const machine = (i: number) => machines[i % machines.length];
		const all: Paid[] = [];
		const notes: string[] = [];

		// Morning: n8n up. Two in every 25 payments' machines fail their next dispense (one WeChat Pay, one
		// Alipay: refunded in-run); the first WeChat Pay refund call is refused and nobody retries it.
		const morning = Math.floor(opts.payments * 0.4);
		payments.refuseRefunds(1);
		all.push(...(await inLanes(morning, 8, async (i) => {
			if (i % 25 === 3 || i % 25 === 4) await platform.fault({ kind: 'deliveryFail', machineNo: machine(i), floorStatus: '2', errorMsg: 'Goods are Stuck' });
			return await pay(stack, platform, machine(i), provider(i), i === 5 ? 3.5 : PRICE); // payment 5: paid more than the order costs
		})));
		await settled(stack, 180_000);
		for (const p of all.slice(0, 2)) {
			await fetch(`${payments.baseUrl}/__payments/notify-again`, { method: 'POST', body: JSON.stringify({ provider: p.provider, out_trade_no: p.tradeId }) });
		}
		opts.log(`day: morning ${morning} payments settled; 2 notifications sent again`);

		// Noon: payments in flight when n8n is SIGKILLed; it stays down past the providers' re-send schedules.
		const noon = Math.floor(opts.payments * 0.05);
		const inFlight = inLanes(noon, noon, async (i) => await pay(stack, platform, machine(morning + i), provider(morning + i)));
		await sleep(300);
		let lost = 0;
		const downStarted = Date.now();
		await stack.restartMain('SIGKILL', async () => {
			all.push(...(await inFlight));
			const down = Math.floor(opts.payments * 0.35);
			const afternoon = await inLanes(down, 8, async (i) => await pay(stack, platform, machine(morning + noon + i), provider(morning + noon + i)));
			lost = afternoon.filter((p) => !p.notified).length;
			all.push(...afternoon);
			payments.advanceClock(26 * 3_600); // WeChat re-sends for ~24 h, Alipay ~25 h: all of it, to a closed port
			await waitFor(async () => payments.pendingResends() === 0, 120_000, 250);
		});
		const downSeconds = (Date.now() - downStarted) / 1000;
		for (const p of ['weChatPay', 'alipay'] as const) await stack.webhookAnswers(`${PAYMENT_WEBHOOK_ID[p]}/payment`, 401);
		opts.log(`day: n8n was down ${downSeconds.toFixed(0)} s; ${lost} payments never reached it`);

		// Evening: n8n up again.
		const evening = opts.payments - all.length;
		const start = all.length;
		all.push(...(await inLanes(evening, 8, async (i) => await pay(stack, platform, machine(start + i), provider(start + i)))));
		await settled(stack, 180_000);

		// Next morning, 10:30 China time after the last bill day: example 10 for each day with payments.
		const paidAt = (payments.state().payments as Json[]).map((p) => Date.parse(p.paid_at));
		const days = [...new Set(paidAt.map(chinaDate))].sort();
		const morningAfter = Date.parse(`${days[days.length - 1]}T10:30:00+08:00`) + 86_400_000;
		if (payments.clock.now() < morningAfter) payments.advanceClock((morningAfter - payments.clock.now()) / 1000);
		const summaries: Json[] = [];
		for (const day of days) {
			const summary = await reconcile(stack, day, examples);
			summaries.push(summary);
			opts.log(`day: reconciliation of ${day}: ${summary?.message ?? 'no summary'}`);
		}
		await sleep(3000);

		// Every paid row, from the sandboxes' own counts.
		const state = await platform.state();
		const ledger = payments.state() as Json;
		let unaccounted = 0;
		let doubleDispenses = 0;
		let doubleRefunds = 0;
		let both = 0;
		let dispensed = 0;
		let refunded = 0;
		for (const p of all) {
			const order = (state.orders as Json[]).find((o) => o.order_id === p.orderId);
			const record = (order?.records as Json[] | undefined)?.find((r) => r.record_id === p.recordId) ?? {};
			const payment = (ledger.payments as Json[]).find((x) => x.out_trade_no === p.tradeId) ?? {};
			const refunds = (ledger.refunds as Json[]).filter((r) => r.out_trade_no === p.tradeId);
			const dispenses = Number(record.dispense_count ?? 0);
			const out = ['IS_SUCCESS', 'IS_PICKED_UP'].includes(String(record.status));
			const refundedFen = Number(payment.refunded_fen ?? 0);
			if (dispenses > 1) doubleDispenses++;
			if (refunds.length > 1) doubleRefunds++;
			if (out && refundedFen > 0) both++;
			if (out && dispenses === 1 && refundedFen === 0) dispensed++;
			else if (!out && refunds.length === 1 && refundedFen === Math.round(p.amount * 100)) refunded++;
			else {
				unaccounted++;
				if (unaccounted <= 5) notes.push(`unaccounted: order ${p.orderId} (${p.provider} ${p.tradeId}): record ${record.status} ×${dispenses}, refunded ${refundedFen} fen in ${refunds.length} refund(s)`);
			}
		}
		return { payments: all.length, machines: opts.machines, lost, unaccounted, doubleDispenses, doubleRefunds, both, dispensed, refunded, downSeconds, summaries, notes };
	} finally {
		await stack.stop();
	}
}
