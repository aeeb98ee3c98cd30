import type { INode } from 'n8n-workflow';

import { dispenseRecord, type DispenseSettings, onMachine } from './dispense';
import {
	describe,
	dispensed,
	type Finished,
	later,
	minutesSince,
	notDispensed,
	PAID_STATUSES,
	type PaymentToFinish,
	person,
	refund,
	refundLines,
	UNMARKED_STATUSES,
	whyNotDispensed,
} from './finishOutcome';
import { tryGetOrder, updateOrder, WAITING } from './orders';
import { outcomeOfStatus } from './protocol';
import type { DingShangCredentials, RequestContext } from './transport';

export type { FinishOutcome, Finished, PaymentToFinish } from './finishOutcome';

/**
 * Finishes one payment from DingShang's record — never from a guess. Used by the Unfinished
 * Payments trigger (payments n8n left unfinished) and by Vending's Finish Payment (any payment, e.g.
 * a bill row). The order is read first; a record being dispensed, an unreadable platform or a
 * command whose fate is unknown is `later`. Young payment (inside the Dispense Window): dispense
 * what still waits. Older, or the machine failed: set the order Refund and return `refund_due` with
 * the record's refund_key — the key the payment workflow itself would have used, so the provider
 * pays a refund once whoever asks. Never both: a record is refunded only if it was not dispensed, and
 * a payment the provider already refunded is never dispensed. Calling it again changes nothing.
 */

export interface FinishEnv {
	ctx: RequestContext & { getNode(): INode };
	creds: DingShangCredentials;
	windowMinutes: number;
	now: number;
	/** Seconds to keep retrying while the machine is busy with another dispense (default 90). */
	maxWaitSeconds?: number;
}

const message = (error: unknown) => (error as Error).message;

export async function finishPayment(env: FinishEnv, payment: PaymentToFinish): Promise<Finished> {
	const { ctx, creds } = env;
	const age = minutesSince(payment.paid_at, env.now);
	const young = age < env.windowMinutes;
	const refunded = (payment.refunded ?? 0) > 0;
	const read = await tryGetOrder(ctx, creds, { machineNo: payment.machine_no, orderId: payment.order_id });
	if (!read.ok) {
		const why = read.failure.message;
		if (read.failure.kind !== 'platform') return later(describe(payment, age, []), `DingShang could not be read (${why})`, `无法读取鼎商云（${why}）`);
		return person(describe(payment, age, []), `DingShang refused to read order ${payment.order_id}: ${why}`, `鼎商云拒绝读取订单 ${payment.order_id}：${why}`);
	}
	const { order } = read;
	const records = order.records.map((r) => ({ ...r }));
	if (records.length === 0) return person(describe(payment, age, []), `order ${payment.order_id} has no records on DingShang`, `订单 ${payment.order_id} 在鼎商云上没有商品记录`);
	if (records.some((r) => outcomeOfStatus(r.status) === 'pending')) {
		return later(describe(payment, age, records), 'a record is being dispensed: read it again', '商品正在出货中，请稍后再读取');
	}

	let status = String(order.status ?? '');
	const dispensedNow: number[] = [];
	// A payment the provider refunded is never dispensed (never both).
	if (young && !refunded) {
		const s: DispenseSettings = {
			machineNo: payment.machine_no,
			orderId: payment.order_id,
			waitForResult: true,
			maxWaitSeconds: env.maxWaitSeconds ?? 90,
			resultTimeoutSeconds: 130,
			requestTimeoutSeconds: 20,
		};
		try {
			if (UNMARKED_STATUSES.includes(status)) {
				await updateOrder(ctx, creds, { orderId: payment.order_id, machineNo: payment.machine_no, status: 1 });
				status = 'SUCCESS';
			}
			if (PAID_STATUSES.includes(status)) {
				// The same machine queue as Dispense: a live dispense of this machine and this one never overlap.
				await onMachine(creds, payment.machine_no, async (turn) => {
					for (const record of records.filter((r) => r.status === WAITING)) {
						const result = await dispenseRecord(ctx, creds, turn, s, String(record.id));
						record.status = result.outcome === 'dispensed' ? 'IS_SUCCESS' : result.outcome === 'failed' ? 'IS_FAILED' : 'IS_TIMEOUT';
						// Dispensed by another call meanwhile (6034, read back): not this call's dispense.
						if (result.outcome === 'dispensed' && result.already_handled !== true) dispensedNow.push(Number(record.id));
					}
				});
			}
		} catch (error) {
			// A refusal, a busy machine or a lost answer: the record is read again next time, nothing re-sent blindly.
			return later(describe(payment, age, records), `could not finish yet: ${message(error)}`, `暂时无法完成：${message(error)}`);
		}
	}

	const notDone = notDispensed(records);
	const done = records.length - notDone.length;
	const base = describe(payment, age, records);
	if (notDone.length === 0) {
		if (refunded) {
			return person(base, `order ${payment.order_id} was dispensed and the payment was also refunded (${payment.refunded} yuan): check whether the refund was meant`, `订单 ${payment.order_id} 已出货，但这笔付款也已退款（${payment.refunded} 元）：请核实该退款是否应当发生`);
		}
		return dispensed(dispensedNow.length > 0, age, base);
	}

	const why = refunded ? { en: 'the provider already refunded the payment', zh: '支付平台已退款' } : whyNotDispensed(young, notDone, env.windowMinutes, age);
	const lines = refundLines(payment, records, notDone);
	const due = lines.reduce((sum, l) => sum + l.amount, 0);
	if (refunded && (payment.refunded as number) + 0.005 < due) {
		return person(base, `the payment was refunded in part (${payment.refunded} of ${Math.round(due * 100) / 100} yuan not dispensed)`, `这笔付款只退了一部分（未出货 ${Math.round(due * 100) / 100} 元，已退 ${payment.refunded} 元）`);
	}
	let changed = false;
	if (done === 0 && PAID_STATUSES.includes(status)) {
		try {
			// Refund status first: the platform then refuses any dispense of this order.
			changed = await updateOrder(ctx, creds, { orderId: payment.order_id, machineNo: payment.machine_no, status: 2 });
		} catch (error) {
			return later(base, `could not set the order to Refund yet: ${message(error)}`, `暂时无法将订单转入退款：${message(error)}`);
		}
	}
	return refund(payment, lines, { ...base, reason: why.en, reasonZh: why.zh }, changed);
}
