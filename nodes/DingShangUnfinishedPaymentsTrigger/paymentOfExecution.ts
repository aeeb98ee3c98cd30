import type { IDataObject } from 'n8n-workflow';

/**
 * The payment an execution started with, read from what n8n stored of it: the trigger's item waits
 * in `executionData.nodeExecutionStack` until the trigger "runs", then it is the trigger's output in
 * `runData`. After a crash n8n replaces outputs of finished nodes with placeholders
 * (`isArtificialRecoveredEventItem`) unless progress is saved; those are skipped.
 */

export interface Payment {
	machine_no: string;
	order_id: string;
	provider?: 'weChatPay' | 'alipay';
	out_trade_no?: string;
	transaction_id?: string;
	/** Yuan, as the Payment Notification trigger gives it. */
	amount?: number;
	/** ISO 8601; the execution's start when the item has none. */
	paid_at: string;
}

type Json = IDataObject;

const itemsOf = (main: unknown): Json[] => {
	const first = Array.isArray(main) ? (main[0] as unknown) : undefined;
	return Array.isArray(first) ? first.map((item) => ((item as { json?: Json })?.json ?? {}) as Json) : [];
};

/** The start node's items: from the stack (not run yet) or from the run data (source-less run). */
export function startItems(data: Json | undefined): Json[] {
	if (!data) return [];
	const stack = ((data.executionData as Json | undefined)?.nodeExecutionStack as Json[] | undefined) ?? [];
	for (const entry of stack) {
		if (entry.source === null || entry.source === undefined) {
			const items = itemsOf((entry.data as Json | undefined)?.main);
			if (items.length > 0) return items;
		}
	}
	const runData = ((data.resultData as Json | undefined)?.runData as Record<string, Json[]> | undefined) ?? {};
	for (const runs of Object.values(runData)) {
		const run = Array.isArray(runs) ? runs[0] : undefined;
		const source = run?.source as unknown[] | null | undefined;
		if (!run || (Array.isArray(source) && source.some((s) => s))) continue;
		const items = itemsOf((run.data as Json | undefined)?.main).filter((json) => json.isArtificialRecoveredEventItem !== true);
		if (items.length > 0) return items;
	}
	return [];
}

const ID = /^[1-9]\d{0,15}$/;
const MACHINE = /^\d{8,}$/;

/** A payment from one start item (the Payment Notification trigger's item, or a webhook body with machine_no + order_id). */
export function paymentOf(json: Json, startedAt: string): Payment | undefined {
	const source = (json.machine_no === undefined && json.body && typeof json.body === 'object' ? json.body : json) as Json;
	const machineNo = String(source.machine_no ?? '').trim();
	const orderId = String(source.order_id ?? '').trim();
	if (!MACHINE.test(machineNo) || !ID.test(orderId)) return undefined;
	const payment: Payment = { machine_no: machineNo, order_id: orderId, paid_at: isoOr(source.paid_at, startedAt) };
	if (source.provider === 'weChatPay' || source.provider === 'alipay') payment.provider = source.provider;
	if (typeof source.out_trade_no === 'string' && source.out_trade_no) payment.out_trade_no = source.out_trade_no;
	if (typeof source.transaction_id === 'string' && source.transaction_id) payment.transaction_id = source.transaction_id;
	const amount = Number(source.amount);
	if (source.amount !== undefined && Number.isFinite(amount) && amount > 0) payment.amount = amount;
	return payment;
}

function isoOr(value: unknown, fallback: string): string {
	const at = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isFinite(at) ? new Date(at).toISOString() : fallback;
}

/** Every payment an execution started with (one notification is one item; a webhook body may be one order). */
export function paymentsOfExecution(data: Json | undefined, startedAt: string): Payment[] {
	return startItems(data)
		.map((json) => paymentOf(json, startedAt))
		.filter((p): p is Payment => p !== undefined);
}

/** What n8n says went wrong, for the merchant: the error message and the last node that ran. */
export function whatHappened(status: string, data: Json | undefined): { en: string; zh: string } {
	const result = (data?.resultData as Json | undefined) ?? {};
	const error = (result.error as Json | undefined)?.message;
	const node = typeof result.lastNodeExecuted === 'string' ? result.lastNodeExecuted : undefined;
	const at = node ? ` at "${node}"` : '';
	const atZh = node ? `（在“${node}”）` : '';
	if (status === 'crashed') return { en: `n8n stopped while running this payment${at} (crashed).`, zh: `n8n 在处理这笔付款时中断${atZh}（崩溃）。` };
	const why = typeof error === 'string' && error ? `: ${error}` : '';
	return { en: `The payment's execution ended with an error${at}${why}.`, zh: `这笔付款的执行以错误结束${atZh}${why ? '：' + String(error) : ''}。` };
}
