import type { IDataObject } from 'n8n-workflow';

import { chinaTimeToIso } from '../common/chinaTime';
import type { RefundAdapter, RefundOrder, RefundState } from '../payments/refunds';
import { ALIPAY_REFUND_METHOD, ALIPAY_REFUND_QUERY_METHOD } from './api';
import type { AlipayCredentials } from './credentials';
import { callAlipay as call } from './gateway';
import { ALIPAY_WORDS } from './words';

/** Alipay refunds: `alipay.trade.refund` and `alipay.trade.fastpay.refund.query`, every answer's sign checked. */

const fenOf = (yuan: unknown) => (yuan === undefined || yuan === null || yuan === '' ? undefined : Math.round(Number(yuan) * 100));

/** A refund query's answer: Alipay answers 10000 without refund_status for a refund it does not know. */
function queriedState(body: IDataObject): RefundState | undefined {
	if (body.refund_status !== 'REFUND_SUCCESS') return undefined;
	return {
		status: 'SUCCESS',
		providerStatus: 'REFUND_SUCCESS',
		refundId: typeof body.trade_no === 'string' ? body.trade_no : undefined,
		outTradeNo: typeof body.out_trade_no === 'string' ? body.out_trade_no : undefined,
		refundFen: fenOf(body.refund_amount),
		totalFen: fenOf(body.total_amount),
		refundedAt: chinaTimeToIso(body.gmt_refund_pay),
	};
}

/** A refund's answer: success; `fund_change` N on a repeated out_request_no means nothing moved this time. */
function refundedState(body: IDataObject): RefundState {
	return {
		status: 'SUCCESS',
		providerStatus: `fund_change=${String(body.fund_change ?? '')}`,
		refundId: typeof body.trade_no === 'string' ? body.trade_no : undefined,
		outTradeNo: typeof body.out_trade_no === 'string' ? body.out_trade_no : undefined,
		refundFen: fenOf(body.send_back_fee ?? body.refund_fee),
		refundedAt: chinaTimeToIso(body.gmt_refund_pay),
		fundChange: body.fund_change === 'Y',
	};
}

export function alipayRefunds(creds: AlipayCredentials): RefundAdapter {
	return {
		...ALIPAY_WORDS,
		async read(ctx, outTradeNo, refundKey) {
			const reply = await call(ctx, creds, ALIPAY_REFUND_QUERY_METHOD, { out_trade_no: outTradeNo, out_request_no: refundKey });
			return reply.kind === 'answer' ? { kind: 'answer', value: queriedState(reply.value) } : reply;
		},
		async send(ctx, order: RefundOrder) {
			const biz: IDataObject = { out_trade_no: order.outTradeNo, out_request_no: order.refundKey, refund_amount: (order.refundFen / 100).toFixed(2) };
			if (order.reason) biz.refund_reason = order.reason;
			const reply = await call(ctx, creds, ALIPAY_REFUND_METHOD, biz);
			if (reply.kind !== 'answer') return reply;
			const state = refundedState(reply.value);
			return { kind: 'answer', value: { state, existed: state.fundChange === false } };
		},
	};
}
