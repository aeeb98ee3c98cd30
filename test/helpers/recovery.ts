/**
 * For the crash tests (test/recovery): workflow 9 set up for a test, payments made through the
 * provider sandbox, and the one question that matters — how often was this order dispensed, how
 * much of it refunded — read from the sandboxes' own counts, never from n8n.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningPaymentSandbox } from '../../sandbox/payments';
import { EXAMPLES_DIR, N8nClient, WORKFLOW } from '../../scripts/local';
import { nodeOutput } from './runData';
import { SandboxClient, waitFor, type Json } from './sandboxClient';

export interface WatcherOptions {
	id?: string;
	name?: string;
	workflowIds: string[];
	windowMinutes: number;
	checkEverySeconds: number;
	/** The payment sandbox, whose plain refund API the example's own refund call uses. */
	paymentsUrl: string;
}

/** Example 9 with these settings (and its refund call pointed at this payment sandbox). */
export function watcherWorkflow(opts: WatcherOptions): Json {
	const text = readFileSync(join(EXAMPLES_DIR, '9-finish-unfinished-payments.json'), 'utf8').split('http://127.0.0.1:3910').join(opts.paymentsUrl);
	const workflow = JSON.parse(text);
	workflow.id = opts.id ?? WORKFLOW.unfinished;
	if (opts.name) workflow.name = opts.name;
	const trigger = workflow.nodes.find((n: Json) => n.type.endsWith('.dingShangUnfinishedPaymentsTrigger'));
	Object.assign(trigger.parameters, { workflowIds: opts.workflowIds, dispenseWindowMinutes: opts.windowMinutes, checkEverySeconds: opts.checkEverySeconds });
	return workflow;
}

export interface Paid {
	orderId: number;
	recordId: number;
	tradeId: string;
	provider: 'weChatPay' | 'alipay';
}

/** A sandbox order on `machine`, paid 3.50 at the provider sandbox, whose notification goes to `notifyUrl`. */
export async function payOrder(platform: SandboxClient, payments: RunningPaymentSandbox, machine: string, notifyUrl: string, provider: 'weChatPay' | 'alipay' = 'weChatPay'): Promise<Paid> {
	const { orderId, recordIds, tradeId } = await platform.order(machine);
	const pushed = await payments.pay({ provider, out_trade_no: tradeId, amount: 3.5, attach: `machine_no=${machine}&order_id=${orderId}`, notify_url: notifyUrl });
	if (pushed.notify_status !== 204 && pushed.notify_status !== 200) throw new Error(`the payment notification was not accepted: ${pushed.notify_status} ${pushed.notify_error ?? ''}`);
	return { orderId, recordId: recordIds[0], tradeId, provider };
}

export interface Settled {
	dispenses: number;
	dropped: number;
	recordStatus: string;
	orderStatus: string;
	refundedFen: number;
	refundKeys: number;
}

/** What the sandboxes say happened to one paid order. */
export async function settledOf(platform: SandboxClient, paymentsUrl: string, paid: Paid): Promise<Settled> {
	const state = await platform.state();
	const order = (state.orders as Json[]).find((o) => o.order_id === paid.orderId);
	const record = (order?.records as Json[] | undefined)?.find((r) => r.record_id === paid.recordId) ?? {};
	const ledger = (await (await fetch(`${paymentsUrl}/__payments/state`)).json()) as Json;
	const payment = (ledger.payments as Json[]).find((p) => p.out_trade_no === paid.tradeId) ?? {};
	const refunds = (ledger.refunds as Json[]).filter((r) => r.out_trade_no === paid.tradeId);
	return {
		dispenses: Number(record.dispense_count ?? 0),
		dropped: Number(record.dropped ?? 0),
		recordStatus: String(record.status ?? ''),
		orderStatus: String(order?.status ?? ''),
		refundedFen: Number(payment.refunded_fen ?? 0),
		refundKeys: refunds.length,
	};
}

/** Dispensed exactly once, or (not dispensed and) refunded exactly once in full — never both. */
export function endedOnce(s: Settled): 'dispensed' | 'refunded' | undefined {
	const dispensed = s.dispenses === 1 && ['IS_SUCCESS', 'IS_PICKED_UP'].includes(s.recordStatus);
	const refunded = s.refundedFen === 350 && s.refundKeys === 1;
	if (dispensed && s.refundedFen === 0) return 'dispensed';
	if (refunded && !['IS_SUCCESS', 'IS_PICKED_UP'].includes(s.recordStatus)) return 'refunded';
	return undefined;
}

/** Waits (bounded) until the order has ended once; then checks it stays so for `settleMs`. */
export async function waitEndedOnce(platform: SandboxClient, paymentsUrl: string, paid: Paid, timeoutMs: number, settleMs = 5000): Promise<{ end: 'dispensed' | 'refunded'; settled: Settled; afterMs: number }> {
	const started = Date.now();
	const end = await waitFor(async () => endedOnce(await settledOf(platform, paymentsUrl, paid)), timeoutMs, 500);
	const afterMs = Date.now() - started;
	await new Promise((done) => setTimeout(done, settleMs));
	const settled = await settledOf(platform, paymentsUrl, paid);
	return { end: endedOnce(settled) ?? end, settled, afterMs };
}

/** The watchers' report items about one order (all outputs), from the workflow's executions. */
export async function reportsAbout(client: N8nClient, watcherId: string, orderId: number): Promise<Json[]> {
	const runs = (await client.allExecutions(watcherId)).filter((e: Json) => e.status !== 'running' && e.status !== 'new');
	const items: Json[] = [];
	for (const run of runs) for (const output of [0, 1, 2]) items.push(...nodeOutput(run.data?.resultData?.runData, 'Unfinished payments', output).filter((i: Json) => i.order_id === orderId));
	return items;
}

/** What example 9's WeChat Pay / Alipay refund nodes answered about one payment, from the watcher's executions. */
export async function refundsAbout(client: N8nClient, watcherId: string, outTradeNo: string): Promise<Json[]> {
	const runs = (await client.allExecutions(watcherId)).filter((e: Json) => e.status !== 'running' && e.status !== 'new');
	const items: Json[] = [];
	for (const run of runs) {
		for (const node of ['WeChat Pay refund', 'Alipay refund']) items.push(...nodeOutput(run.data?.resultData?.runData, node).filter((i: Json) => i.out_trade_no === outTradeNo));
	}
	return items;
}

/** Sandbox request faults still armed (the delay of a held request is used up when it arrives). */
export async function armedFaults(platform: SandboxClient): Promise<number> {
	return (((await platform.http.get('/__sandbox/faults')).data as Json).queued as Json[]).length;
}
