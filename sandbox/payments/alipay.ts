import { ALIPAY_REFUND_METHOD, ALIPAY_REFUND_QUERY_METHOD, ALIPAY_SUCCESS_CODE, signAlipayAnswer, verifyAlipayRequest } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import type { KeyRing } from './keys';
import { ALIPAY_APP_ID } from './keys';
import { chinaTime, type Ledger, yuan } from './ledger';

/** Alipay gateway (/gateway.do): RSA2 request check, trade.refund and fastpay.refund.query, signed answers. */

export interface AlipayContext {
	keys: KeyRing;
	ledger: Ledger;
}

type Fields = Record<string, unknown>;
export interface AlipayAnswer {
	/** The signed text, `{"…_response":{…},"sign":"…"}`. */
	text: string;
	/** For the log line. */
	code: string;
}

const AMOUNT = /^\d{1,9}(\.\d{1,2})?$/;
const ok = (fields: Fields): Fields => ({ code: ALIPAY_SUCCESS_CODE, msg: 'Success', ...fields });
const failed = (code: '40001' | '40002' | '40004', subCode: string, subMsg: string): Fields => ({
	code,
	msg: { '40001': 'Missing Required Arguments', '40002': 'Invalid Arguments', '40004': 'Business Failed' }[code],
	sub_code: subCode,
	sub_msg: subMsg,
});

function biz(params: Record<string, string>): Fields | undefined {
	try {
		const parsed = JSON.parse(params.biz_content ?? '') as unknown;
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Fields) : undefined;
	} catch {
		return undefined;
	}
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);

function refund(ctx: AlipayContext, content: Fields): Fields {
	const outTradeNo = text(content.out_trade_no);
	const tradeNo = text(content.trade_no);
	const amount = text(content.refund_amount);
	if (!outTradeNo && !tradeNo) return failed('40004', 'ACQ.INVALID_PARAMETER', '参数无效: out_trade_no 与 trade_no 不能同时为空');
	if (!amount || !AMOUNT.test(amount) || Number(amount) <= 0) return failed('40004', 'ACQ.INVALID_PARAMETER', '参数无效: refund_amount');
	const refundFen = Math.round(Number(amount) * 100);
	const payment = ctx.ledger.payment('alipay', outTradeNo, tradeNo);
	// Without out_request_no Alipay takes the payment's own number as the refund's.
	const refundKey = text(content.out_request_no) ?? payment?.outTradeNo ?? outTradeNo ?? '';
	const outcome = ctx.ledger.requestRefund('alipay', { outTradeNo, tradeNo, refundKey, refundFen, reason: text(content.refund_reason) });
	if (!outcome.ok) {
		if (outcome.reason === 'no-payment') return failed('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
		if (outcome.reason === 'discordant') return failed('40004', 'ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致');
		return failed('40004', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
	}
	const { payment: paid, refund: made, repeat } = outcome;
	return ok({
		trade_no: paid.transactionId,
		out_trade_no: paid.outTradeNo,
		buyer_logon_id: 'buy***@sandbox.com',
		// N: this call moved no money (the refund key was used already).
		fund_change: repeat ? 'N' : 'Y',
		refund_fee: yuan(paid.refundedFen),
		send_back_fee: yuan(made.refundFen),
		gmt_refund_pay: chinaTime(made.createdAt),
	});
}

function query(ctx: AlipayContext, content: Fields): Fields {
	const outTradeNo = text(content.out_trade_no);
	const tradeNo = text(content.trade_no);
	if (!outTradeNo && !tradeNo) return failed('40004', 'ACQ.INVALID_PARAMETER', '参数无效: out_trade_no 与 trade_no 不能同时为空');
	const payment = ctx.ledger.payment('alipay', outTradeNo, tradeNo);
	if (!payment) return failed('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
	const outRequestNo = text(content.out_request_no) ?? payment.outTradeNo;
	const made = ctx.ledger.refund('alipay', outRequestNo, payment.outTradeNo);
	// Alipay says "no such refund" with success and no refund_status.
	if (!made) return ok({ out_request_no: outRequestNo, out_trade_no: payment.outTradeNo, trade_no: payment.transactionId });
	made.reads++;
	return ok({
		trade_no: payment.transactionId,
		out_trade_no: payment.outTradeNo,
		out_request_no: outRequestNo,
		total_amount: yuan(payment.totalFen),
		refund_amount: yuan(made.refundFen),
		refund_status: 'REFUND_SUCCESS',
		gmt_refund_pay: chinaTime(made.createdAt),
	});
}

/** `params`: query string and form body merged, as the gateway reads both. */
export function handleAlipay(ctx: AlipayContext, params: Record<string, string>): AlipayAnswer {
	const method = params.method ?? '';
	const known = method === ALIPAY_REFUND_METHOD || method === ALIPAY_REFUND_QUERY_METHOD;
	// Unknown methods answer under error_response, like the gateway.
	const node = known ? method : 'error';
	const answer = (fields: Fields): AlipayAnswer => ({
		text: signAlipayAnswer(node, fields, ctx.keys.alipayPrivate),
		code: fields.sub_code ? `${String(fields.code)} ${String(fields.sub_code)}` : String(fields.code),
	});
	if (!method) return answer(failed('40001', 'isv.missing-method', '缺少方法名参数'));
	if (!known) return answer(failed('40002', 'isv.invalid-method', '不存在的方法名'));
	if (params.app_id !== ALIPAY_APP_ID) return answer(failed('40002', 'isv.invalid-app-id', '无效的AppID参数'));
	if (!verifyAlipayRequest(params, ctx.keys.appPublic)) return answer(failed('40002', 'isv.invalid-signature', '验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配'));
	const content = biz(params);
	if (!content) return answer(failed('40002', 'isv.invalid-biz-content', 'biz_content 不是JSON对象'));
	return answer(method === ALIPAY_REFUND_METHOD ? refund(ctx, content) : query(ctx, content));
}
