import type { IDataObject } from 'n8n-workflow';

import type { OrderRecord } from './orders';
import { outcomeOfStatus, refundKeyFor } from './protocol';

/**
 * The pure half of finishing one payment (finishPayment.ts does the requests): what the order's
 * state means, and the item each outcome is reported with, in English and Chinese.
 */

export type FinishOutcome = 'dispensed_late' | 'already_dispensed' | 'refund_due' | 'already_refunded' | 'needs_person' | 'later';

/** One payment to finish: what a payment notification, an unfinished execution or a bill row says. */
export interface PaymentToFinish {
	machine_no: string;
	order_id: string;
	provider?: 'weChatPay' | 'alipay';
	out_trade_no?: string;
	transaction_id?: string;
	/** Yuan. */
	amount?: number;
	/** Yuan the provider already refunded for this payment (e.g. from its bill); 0 or absent when none. */
	refunded?: number;
	/** ISO 8601. */
	paid_at: string;
}

export interface Finished {
	outcome: FinishOutcome;
	item: IDataObject;
}

export interface RefundLine {
	record_id: number;
	refund_key: string;
	/** Yuan. */
	amount: number;
}

/** Order statuses whose records may be dispensed (and that may be set to Refund). */
export const PAID_STATUSES = ['SUCCESS', 'PICKUPCODE'];
/** Paid at the provider but not yet marked paid on DingShang (n8n stopped in between). */
export const UNMARKED_STATUSES = ['NOTPAY', 'USERPAYING'];

/** Minutes between payment and now, to one decimal. */
export const minutesSince = (paidAt: string, now: number): number => Math.round((now - Date.parse(paidAt)) / 6000) / 10;

const yuan = (n: number) => Math.round(n * 100) / 100;
const text = (en: string, zh: string) => ({ message: en, messageZh: zh });

/** Not dispensed and not being dispensed: waiting, failed, timed out (or a status we do not know). */
export const notDispensed = (records: OrderRecord[]) => records.filter((r) => outcomeOfStatus(r.status) !== 'dispensed');

export function refundLines(payment: PaymentToFinish, records: OrderRecord[], notDone: OrderRecord[]): RefundLine[] {
	return notDone.map((r) => ({
		record_id: Number(r.id),
		refund_key: refundKeyFor('failed', payment.order_id, r.id) as string,
		// The whole payment when it paid for this one record; else the record's price.
		amount: records.length === 1 && payment.amount !== undefined ? payment.amount : Number(r.price ?? 0),
	}));
}

export function describe(payment: PaymentToFinish, age: number, records: Array<{ id: number | string; status?: string; price?: string }>): IDataObject {
	// What DingShang says the order costs, beside what was paid: a reconciliation lists the rows that differ.
	const orderAmount = records.length > 0 && records.every((r) => r.price !== undefined) ? yuan(records.reduce((sum, r) => sum + Number(r.price), 0)) : null;
	return {
		order_id: Number(payment.order_id),
		machine_no: payment.machine_no,
		provider: payment.provider ?? null,
		out_trade_no: payment.out_trade_no ?? null,
		transaction_id: payment.transaction_id ?? null,
		amount: payment.amount ?? null,
		order_amount: orderAmount,
		amount_differs: orderAmount !== null && payment.amount !== undefined ? Math.abs(orderAmount - payment.amount) > 0.005 : null,
		paid_at: payment.paid_at,
		minutes_since_payment: age,
		records: records.map((r) => ({ record_id: Number(r.id), status: r.status ?? null })),
	};
}

export function dispensed(now: boolean, age: number, base: IDataObject): Finished {
	const words = now
		? text(`Dispensed ${age} min after payment, as nothing had dispensed it before.`, `付款 ${age} 分钟后已补出货（此前未出货）。`)
		: text('Already dispensed; nothing was sent again.', '此前已出货，未重复出货。');
	const outcome = now ? 'dispensed_late' : 'already_dispensed';
	return { outcome, item: { outcome, ...words, ...base } };
}

export function person(base: IDataObject, en: string, zh: string): Finished {
	return { outcome: 'needs_person', item: { outcome: 'needs_person', ...text(`Left for you: ${en}.`, `需要您处理：${zh}。`), reason: en, reasonZh: zh, ...base } };
}

export function later(base: IDataObject, en: string, zh: string): Finished {
	return { outcome: 'later', item: { outcome: 'later', ...text(`Not finished yet, try again later: ${en}.`, `暂未完成，请稍后重试：${zh}。`), reason: en, reasonZh: zh, ...base } };
}

/** Why a record was not dispensed: the payment is too old for a late dispense, or the machine failed. */
export function whyNotDispensed(young: boolean, notDone: OrderRecord[], windowMinutes: number, age: number): { en: string; zh: string } {
	return !young && notDone.some((r) => outcomeOfStatus(r.status) === 'waiting')
		? { en: `paid ${age} min ago, later than the Dispense Window (${windowMinutes} min): the customer may have left`, zh: `付款已 ${age} 分钟，超过出货时限（${windowMinutes} 分钟），顾客可能已离开` }
		: { en: 'the machine did not dispense it', zh: '机器未能出货' };
}

/**
 * What the refund node needs (provider, out_trade_no, refund_key, amounts): it reads the refund by its
 * key first, so a repeat cannot pay twice. `refunded` covering the amount (the provider's bill shows
 * the refund) makes it already_refunded: nothing to hand on.
 */
export function refund(payment: PaymentToFinish, lines: RefundLine[], base: IDataObject, statusChanged: boolean): Finished {
	const total = yuan(lines.reduce((sum, l) => sum + l.amount, 0));
	const key = lines[0].refund_key;
	const done = (payment.refunded ?? 0) > 0 && yuan(payment.refunded ?? 0) >= total;
	const order = statusChanged
		? { en: 'The order is set to Refund on DingShang', zh: '鼎商云订单已转入退款' }
		: { en: 'The order was already set to Refund on DingShang (nothing changed)', zh: '鼎商云订单此前已转入退款（未再更改）' };
	const words = done
		? text(`Not dispensed (${String(base.reason)}) and already refunded: ${payment.refunded} yuan. Nothing to send.`, `未出货（${String(base.reasonZh)}），已退款 ${payment.refunded} 元，无需再退。`)
		: text(`Not dispensed (${String(base.reason)}). ${order.en}: refund ${total} yuan with refund_key ${key}.`, `未出货（${String(base.reasonZh)}）。${order.zh}：请用 refund_key ${key} 退款 ${total} 元。`);
	const outcome = done ? 'already_refunded' : 'refund_due';
	return {
		outcome,
		item: {
			outcome,
			...words,
			provider: payment.provider ?? null,
			out_trade_no: payment.out_trade_no ?? null,
			transaction_id: payment.transaction_id ?? null,
			refund_key: key,
			refund_amount: total,
			total_amount: payment.amount ?? null,
			refunds: lines as unknown as IDataObject[],
			order_set_to_refund_now: statusChanged,
			...(done ? { refunded_amount: payment.refunded } : {}),
			...base,
		},
	};
}
