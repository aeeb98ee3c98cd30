import type { IDataObject } from 'n8n-workflow';

import { chinaTimeToIso } from '../shared/common/chinaTime';
import type { PaymentToFinish } from '../shared/dingshang/finishOutcome';

/**
 * The payment an execution started with, read from what n8n stored of it: the trigger's item waits
 * in `executionData.nodeExecutionStack` until the trigger "runs", then it is the trigger's output in
 * `runData`. After a crash n8n replaces outputs of finished nodes with placeholders
 * (`isArtificialRecoveredEventItem`) unless progress is saved; those are skipped.
 */

/** paid_at: the execution's start when the item has none. */
export type Payment = PaymentToFinish;

type Json = IDataObject;

const jsonOf = (items: unknown): Json[] =>
	Array.isArray(items) ? items.map((item) => ((item as { json?: Json })?.json ?? {}) as Json).filter((json) => json.isArtificialRecoveredEventItem !== true) : [];
const outputsOf = (main: unknown): Json[][] => (Array.isArray(main) ? main.map(jsonOf) : []);

/**
 * Every output of the start node (a trigger may emit on several: the Unfinished Payments trigger's
 * run is [[finished…], [refundDue…], [needsYou…]]): from the stack (not run yet) or from the run
 * data (its source-less run).
 */
export function startOutputs(data: Json | undefined): Json[][] {
	if (!data) return [];
	const stack = ((data.executionData as Json | undefined)?.nodeExecutionStack as Json[] | undefined) ?? [];
	for (const entry of stack) {
		if (entry.source === null || entry.source === undefined) {
			const outputs = outputsOf((entry.data as Json | undefined)?.main);
			if (outputs.some((items) => items.length > 0)) return outputs;
		}
	}
	const runData = ((data.resultData as Json | undefined)?.runData as Record<string, Json[]> | undefined) ?? {};
	for (const runs of Object.values(runData)) {
		const run = Array.isArray(runs) ? runs[0] : undefined;
		const source = run?.source as unknown[] | null | undefined;
		if (!run || (Array.isArray(source) && source.some((s) => s))) continue;
		const outputs = outputsOf((run.data as Json | undefined)?.main);
		if (outputs.some((items) => items.length > 0)) return outputs;
	}
	return [];
}

/** The start node's items on its first output (a payment trigger has only that one). */
export const startItems = (data: Json | undefined): Json[] => startOutputs(data)[0] ?? [];

const ID = /^[1-9]\d{0,15}$/;
const MACHINE = /^\d{8,}$/;

/** `attach` / `passback_params`: an object when the payment trigger parsed a query string; a query string is read too. */
function attachOf(value: unknown): Json {
	if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
	if (typeof value === 'string' && value.includes('=')) return Object.fromEntries(new URLSearchParams(value.trim()));
	return {};
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** What the provider's item says, recognised by its shape; machine_no and order_id travel in attach / passback_params. */
function providerFields(json: Json): { source: Json; fields: Partial<Payment> } | undefined {
	const amount = json.amount as Json | undefined;
	if (text(json.transaction_id) && typeof amount?.total === 'number') {
		return {
			source: attachOf(json.attach),
			fields: { provider: 'weChatPay', out_trade_no: text(json.out_trade_no), transaction_id: text(json.transaction_id), amount: amount.total / 100, paid_at: text(json.success_time) },
		};
	}
	if (text(json.trade_no) && json.total_amount !== undefined) {
		return {
			source: attachOf(json.passback_params),
			fields: { provider: 'alipay', out_trade_no: text(json.out_trade_no), transaction_id: text(json.trade_no), amount: Number(json.total_amount), paid_at: chinaTimeToIso(json.gmt_payment) },
		};
	}
	return undefined;
}

/**
 * A payment from one start item: a WeChat Pay trigger's transaction, an Alipay trigger's
 * notification, or (workflows started otherwise) an item or webhook body with machine_no + order_id.
 */
export function paymentOf(json: Json, startedAt: string): Payment | undefined {
	const fromProvider = providerFields(json);
	const source = fromProvider?.source ?? ((json.machine_no === undefined && json.body && typeof json.body === 'object' ? json.body : json) as Json);
	const fields: Partial<Payment> = fromProvider?.fields ?? {
		provider: source.provider === 'weChatPay' || source.provider === 'alipay' ? source.provider : undefined,
		out_trade_no: text(source.out_trade_no),
		transaction_id: text(source.transaction_id),
		amount: source.amount !== undefined ? Number(source.amount) : undefined,
		paid_at: text(source.paid_at),
	};
	const machineNo = String(source.machine_no ?? '').trim();
	const orderId = String(source.order_id ?? '').trim();
	if (!MACHINE.test(machineNo) || !ID.test(orderId)) return undefined;
	const payment: Payment = { machine_no: machineNo, order_id: orderId, paid_at: isoOr(fields.paid_at, startedAt) };
	if (fields.provider) payment.provider = fields.provider;
	if (fields.out_trade_no) payment.out_trade_no = fields.out_trade_no;
	if (fields.transaction_id) payment.transaction_id = fields.transaction_id;
	if (fields.amount !== undefined && Number.isFinite(fields.amount) && fields.amount > 0) payment.amount = fields.amount;
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
