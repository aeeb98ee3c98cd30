import type { IDataObject, INode } from 'n8n-workflow';

import { dispenseRecord, type DispenseSettings, onMachine } from '../shared/dingshang/dispense';
import { tryGetOrder, updateOrder, WAITING, type OrderRecord } from '../shared/dingshang/orders';
import { outcomeOfStatus, refundKeyFor } from '../shared/dingshang/protocol';
import type { DingShangCredentials, RequestContext } from '../shared/dingshang/transport';
import type { Payment } from './paymentOfExecution';

/**
 * Finishes one payment whose execution n8n ended unfinished, from the platform's state — never from
 * a guess: the order is read first; a record being dispensed, an unreadable platform or a command
 * whose fate is unknown means "look again on the next check". Young payment (inside the Dispense
 * Window): dispense what is still waiting. Older: set the order Refund and hand the refund to the
 * next nodes (output "Refund Due") with the record's refund_key — the key the payment workflow
 * itself would have used, so the provider pays a refund once whoever asks. Never both: a record is
 * refunded only if it was not dispensed.
 */

export type FinishOutcome = 'dispensed_late' | 'already_dispensed' | 'refund_due' | 'needs_person';

/** Output 0 "Finished", 1 "Refund Due" (the WeChat Pay / Alipay refund node), 2 "Needs You". */
export const OUTPUT_OF: Record<FinishOutcome, 0 | 1 | 2> = {
	dispensed_late: 0,
	already_dispensed: 0,
	refund_due: 1,
	needs_person: 2,
};

export type Finish = { later: string } | { outcome: FinishOutcome; item: IDataObject };

export interface FinishEnv {
	ctx: RequestContext & { getNode(): INode };
	creds: DingShangCredentials;
	windowMinutes: number;
	now: number;
}

interface RefundLine {
	record_id: number;
	refund_key: string;
	/** Yuan. */
	amount: number;
}

const minutes = (ms: number) => Math.round(ms / 6000) / 10;

export async function finishPayment(env: FinishEnv, payment: Payment): Promise<Finish> {
	const { ctx, creds } = env;
	const age = minutes(env.now - Date.parse(payment.paid_at));
	const young = age < env.windowMinutes;
	const s: DispenseSettings = {
		machineNo: payment.machine_no,
		orderId: payment.order_id,
		waitForResult: true,
		maxWaitSeconds: 90,
		resultTimeoutSeconds: 130,
		requestTimeoutSeconds: 20,
	};
	const read = await tryGetOrder(ctx, creds, { machineNo: payment.machine_no, orderId: payment.order_id });
	if (!read.ok) {
		if (read.failure.kind !== 'platform') return { later: `DingShang could not be read (${read.failure.message})` };
		return person(payment, age, `DingShang refused to read order ${payment.order_id}: ${read.failure.message}`, `鼎商云拒绝读取订单 ${payment.order_id}：${read.failure.message}`);
	}
	const { order } = read;
	const records = order.records.map((r) => ({ ...r }));
	if (records.length === 0) return person(payment, age, `Order ${payment.order_id} has no records on DingShang`, `订单 ${payment.order_id} 在鼎商云上没有商品记录`);
	if (records.some((r) => outcomeOfStatus(r.status) === 'pending')) return { later: 'a record is being dispensed: read again' };

	let status = String(order.status ?? '');
	const dispensedNow: number[] = [];
	try {
		if ((status === 'NOTPAY' || status === 'USERPAYING') && young) {
			await updateOrder(ctx, creds, { orderId: payment.order_id, machineNo: payment.machine_no, status: 1 });
			status = 'SUCCESS';
		}
		if ((status === 'SUCCESS' || status === 'PICKUPCODE') && young) {
			// The same machine queue as Dispense: a live dispense of this machine and this one never overlap.
			await onMachine(creds, payment.machine_no, async (turn) => {
				for (const record of records.filter((r) => r.status === WAITING)) {
					const result = await dispenseRecord(ctx, creds, turn, s, String(record.id));
					record.status = result.outcome === 'dispensed' ? 'IS_SUCCESS' : result.outcome === 'failed' ? 'IS_FAILED' : 'IS_TIMEOUT';
					if (result.outcome === 'dispensed') dispensedNow.push(Number(record.id));
				}
			});
		}
	} catch (error) {
		// A refusal or a lost answer: the record is read again on the next check, nothing re-sent blindly.
		return { later: `could not finish yet: ${(error as Error).message}` };
	}

	const done = records.filter((r) => outcomeOfStatus(r.status) === 'dispensed');
	const notDone = records.filter((r) => outcomeOfStatus(r.status) !== 'dispensed');
	const base = describe(payment, age, records);
	if (notDone.length === 0) {
		return dispensedNow.length > 0
			? { outcome: 'dispensed_late', item: { outcome: 'dispensed_late', ...text(`Dispensed ${age} min after payment, once n8n had stopped before finishing.`, `付款 ${age} 分钟后已补出货（n8n 此前中断）。`), ...base } }
			: { outcome: 'already_dispensed', item: { outcome: 'already_dispensed', ...text('Already dispensed before n8n stopped; nothing was sent again.', 'n8n 中断前已出货，未重复出货。'), ...base } };
	}

	const why = !young && notDone.some((r) => r.status === WAITING)
		? { en: `paid ${age} min ago, later than the Dispense Window (${env.windowMinutes} min): the customer may have left`, zh: `付款已 ${age} 分钟，超过出货时限（${env.windowMinutes} 分钟），顾客可能已离开` }
		: { en: 'the machine did not dispense it', zh: '机器未能出货' };
	if (done.length === 0 && status !== 'REFUND' && ['SUCCESS', 'PICKUPCODE'].includes(status)) {
		try {
			// Refund status first: the platform then refuses any dispense of this order.
			await updateOrder(ctx, creds, { orderId: payment.order_id, machineNo: payment.machine_no, status: 2 });
		} catch (error) {
			return { later: `could not set the order to Refund yet: ${(error as Error).message}` };
		}
	}
	return refundDue(payment, refundLines(payment, records, notDone), { ...base, reason: why.en, reasonZh: why.zh });
}

function refundLines(payment: Payment, records: OrderRecord[], notDone: OrderRecord[]): RefundLine[] {
	return notDone.map((r) => ({
		record_id: Number(r.id),
		refund_key: refundKeyFor('failed', payment.order_id, r.id) as string,
		// The whole payment when it paid for this one record; else the record's price.
		amount: records.length === 1 && payment.amount !== undefined ? payment.amount : Number(r.price ?? 0),
	}));
}

/** What the refund node needs (provider, out_trade_no, refund_key, amounts): it reads the refund by its key first, so a repeat cannot pay twice. */
function refundDue(payment: Payment, lines: RefundLine[], base: IDataObject): Finish {
	const total = Math.round(lines.reduce((sum, l) => sum + l.amount, 0) * 100) / 100;
	const key = lines[0].refund_key;
	return {
		outcome: 'refund_due',
		item: {
			outcome: 'refund_due',
			...text(
				`Not dispensed (${String(base.reason)}). The order is set to Refund on DingShang: refund ${total} yuan with refund_key ${key}.`,
				`未出货（${String(base.reasonZh)}）。鼎商云订单已转入退款：请用 refund_key ${key} 退款 ${total} 元。`,
			),
			provider: payment.provider ?? null,
			out_trade_no: payment.out_trade_no ?? null,
			transaction_id: payment.transaction_id ?? null,
			refund_key: key,
			refund_amount: total,
			total_amount: payment.amount ?? null,
			refunds: lines as unknown as IDataObject[],
			...base,
		},
	};
}

const text = (en: string, zh: string) => ({ message: en, messageZh: zh });

function describe(payment: Payment, age: number, records: Array<{ id: number | string; status?: string }>): IDataObject {
	return {
		order_id: Number(payment.order_id),
		machine_no: payment.machine_no,
		provider: payment.provider ?? null,
		out_trade_no: payment.out_trade_no ?? null,
		transaction_id: payment.transaction_id ?? null,
		amount: payment.amount ?? null,
		paid_at: payment.paid_at,
		minutes_since_payment: age,
		records: records.map((r) => ({ record_id: Number(r.id), status: r.status ?? null })),
	};
}

function person(payment: Payment, age: number, en: string, zh: string, extra: IDataObject = {}): Finish {
	return { outcome: 'needs_person', item: { outcome: 'needs_person', ...text(`Left for you: ${en}.`, `需要您处理：${zh}。`), ...extra, ...describe(payment, age, []) } };
}
