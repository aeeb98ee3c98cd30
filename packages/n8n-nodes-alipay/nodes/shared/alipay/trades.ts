import type { IDataObject } from 'n8n-workflow';

import { chinaTimeToIso } from '../common/chinaTime';

/** Alipay trade.query answers as output items: Alipay's own field names (as the trigger's), amounts as numbers. */

const STATUS_WORDS: Record<string, { outcome: string; en: string; zh: string }> = {
	TRADE_SUCCESS: { outcome: 'paid', en: 'The buyer paid.', zh: '买家已付款。' },
	TRADE_FINISHED: { outcome: 'paid', en: 'The buyer paid; the trade is finished and can no longer be refunded.', zh: '买家已付款，交易已完结，不可退款。' },
	WAIT_BUYER_PAY: { outcome: 'waiting', en: 'The buyer has not paid yet.', zh: '等待买家付款。' },
	TRADE_CLOSED: { outcome: 'closed', en: 'The trade is closed: never paid, or fully refunded.', zh: '交易已关闭：未付款或已全额退款。' },
};

const amount = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : Number(value));

export function tradeItem(answer: IDataObject): IDataObject {
	const status = String(answer.trade_status ?? '');
	const words = STATUS_WORDS[status] ?? { outcome: 'unknown', en: `Alipay reports trade_status ${status}.`, zh: `交易状态 ${status}。` };
	const item: IDataObject = { outcome: words.outcome, trade_no: answer.trade_no ?? null, out_trade_no: answer.out_trade_no ?? null, trade_status: status };
	for (const key of ['total_amount', 'receipt_amount', 'buyer_pay_amount', 'point_amount', 'invoice_amount']) {
		const value = amount(answer[key]);
		if (value !== undefined) item[key] = value;
	}
	// The trigger's names: buyer_id (trade.query says buyer_user_id), gmt_payment (send_pay_date).
	if (answer.buyer_user_id !== undefined) item.buyer_id = answer.buyer_user_id;
	if (answer.buyer_logon_id !== undefined) item.buyer_logon_id = answer.buyer_logon_id;
	if (answer.send_pay_date !== undefined) {
		item.gmt_payment = answer.send_pay_date;
		item.paid_at = chinaTimeToIso(answer.send_pay_date) ?? null;
	}
	item.reason = words.en;
	item.reasonZh = words.zh;
	return item;
}

export function notFoundItem(outTradeNo: string | undefined, tradeNo: string | undefined): IDataObject {
	return {
		outcome: 'not_found',
		trade_no: tradeNo ?? null,
		out_trade_no: outTradeNo ?? null,
		reason: 'Alipay knows no trade with this number: it was never paid (or the buyer never opened it).',
		reasonZh: '支付宝查无此交易：未付款或买家未打开付款页。',
	};
}
