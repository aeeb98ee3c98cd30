import type { IDataObject } from 'n8n-workflow';

import { chinaTimeToIso } from '../shared/common/chinaTime';
import type { Provider } from '../shared/payments/errors';

/**
 * One paid order, the same shape for both providers. `attach` (WeChat Pay) / `passback_params`
 * (Alipay) is the merchant's own text given when the payment was made: when it carries the
 * DingShang order — Create Order outputs it ready as `payment_attach`, "machine_no=…&order_id=…" —
 * the item gets `machine_no` and `order_id`, so Update Order and Dispense need no lookup.
 */

/** `machine_no=10000001&order_id=1234` or `{"machine_no":"10000001","order_id":1234}` → the two ids, when valid. */
export function parseAttach(attach: unknown): { machine_no?: string; order_id?: number } {
	if (typeof attach !== 'string' || attach.trim() === '') return {};
	let fields: Record<string, unknown> = {};
	const text = attach.trim();
	if (text.startsWith('{')) {
		try {
			fields = JSON.parse(text) as Record<string, unknown>;
		} catch {
			return {};
		}
	} else {
		fields = Object.fromEntries(new URLSearchParams(text));
	}
	const result: { machine_no?: string; order_id?: number } = {};
	const machine = String(fields.machine_no ?? '');
	if (/^\d{8,}$/.test(machine)) result.machine_no = machine;
	const order = String(fields.order_id ?? '');
	if (/^[1-9]\d{0,15}$/.test(order)) result.order_id = Number(order);
	return result;
}

function item(provider: Provider, fields: { out_trade_no: unknown; transaction_id: unknown; fen: number; providerAmount: IDataObject; paid_at: unknown; payer: unknown; attach: unknown; state: unknown }): IDataObject {
	return {
		provider,
		event: 'payment.succeeded',
		out_trade_no: String(fields.out_trade_no ?? ''),
		transaction_id: String(fields.transaction_id ?? ''),
		amount: fields.fen / 100,
		currency: 'CNY',
		provider_amount: fields.providerAmount,
		paid_at: fields.paid_at ?? null,
		payer: fields.payer ?? null,
		attach: typeof fields.attach === 'string' ? fields.attach : '',
		...parseAttach(fields.attach),
		trade_state: typeof fields.state === 'string' ? fields.state : null,
	};
}

/** A decrypted WeChat Pay `transaction` resource. */
export function weChatPaymentItem(transaction: IDataObject): IDataObject {
	const amount = (transaction.amount ?? {}) as IDataObject;
	const fen = Number(amount.total);
	return item('weChatPay', {
		out_trade_no: transaction.out_trade_no,
		transaction_id: transaction.transaction_id,
		fen,
		providerAmount: { total: fen, payer_total: amount.payer_total ?? fen, unit: 'fen', currency: amount.currency ?? 'CNY' },
		paid_at: transaction.success_time,
		payer: ((transaction.payer ?? {}) as IDataObject).openid,
		attach: transaction.attach,
		state: transaction.trade_state,
	});
}

/** Alipay's notification parameters (all strings). */
export function alipayPaymentItem(params: IDataObject): IDataObject {
	return item('alipay', {
		out_trade_no: params.out_trade_no,
		transaction_id: params.trade_no,
		fen: Math.round(Number(params.total_amount) * 100),
		providerAmount: { total_amount: params.total_amount, receipt_amount: params.receipt_amount ?? params.total_amount, unit: 'yuan', currency: 'CNY' },
		paid_at: chinaTimeToIso(params.gmt_payment) ?? params.gmt_payment ?? null,
		payer: params.buyer_id ?? params.buyer_open_id ?? params.buyer_logon_id,
		attach: params.passback_params,
		state: params.trade_status,
	});
}
