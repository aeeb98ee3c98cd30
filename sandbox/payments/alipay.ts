import {
	ALIPAY_BILL_METHOD,
	ALIPAY_REFUND_METHOD,
	ALIPAY_REFUND_QUERY_METHOD,
	ALIPAY_SUCCESS_CODE,
	ALIPAY_TRADE_CLOSE_METHOD,
	ALIPAY_TRADE_QUERY_METHOD,
	signAlipayAnswer,
	verifyAlipayRequest,
} from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import type { VirtualClock } from '../clock';
import { billReady, type AlipayBillLinks } from './alipayBill';
import type { KeyRing } from './keys';
import { ALIPAY_APP_ID } from './keys';
import { chinaTime, type Ledger, yuan } from './ledger';

/** Alipay gateway (/gateway.do): RSA2 request check; refunds, trade query and close, bill links; signed answers. */

/** A trade the buyer opened but has not paid (WAIT_BUYER_PAY), made with POST /__payments/alipay-trades; closing is the ledger's. */
export interface UnpaidTrade {
	outTradeNo: string;
	tradeNo: string;
	totalFen: number;
}

export interface AlipayContext {
	keys: KeyRing;
	ledger: Ledger;
	clock: VirtualClock;
	alipayBillLinks: AlipayBillLinks;
	unpaidAlipayTrades: Map<string, UnpaidTrade>;
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
const failed = (code: '40001' | '40002' | '40004' | '20000', subCode: string, subMsg: string): Fields => ({
	code,
	msg: { '40001': 'Missing Required Arguments', '40002': 'Invalid Arguments', '40004': 'Business Failed', '20000': 'Service Currently Unavailable' }[code],
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

const findUnpaid = (ctx: AlipayContext, outTradeNo?: string, tradeNo?: string) =>
	outTradeNo ? ctx.unpaidAlipayTrades.get(outTradeNo) : [...ctx.unpaidAlipayTrades.values()].find((t) => t.tradeNo === tradeNo);

/** alipay.trade.query: a paid trade (TRADE_CLOSED once fully refunded), an unpaid or closed one, or none. */
function tradeQuery(ctx: AlipayContext, content: Fields): Fields {
	const outTradeNo = text(content.out_trade_no);
	const tradeNo = text(content.trade_no);
	if (!outTradeNo && !tradeNo) return failed('40004', 'ACQ.INVALID_PARAMETER', '参数无效: out_trade_no 与 trade_no 不能同时为空');
	const payment = ctx.ledger.payment('alipay', outTradeNo, tradeNo);
	if (payment) {
		const amount = yuan(payment.totalFen);
		return ok({
			trade_no: payment.transactionId,
			out_trade_no: payment.outTradeNo,
			buyer_logon_id: 'buy***@sandbox.com',
			trade_status: payment.refundedFen >= payment.totalFen ? 'TRADE_CLOSED' : 'TRADE_SUCCESS',
			total_amount: amount,
			receipt_amount: amount,
			buyer_pay_amount: amount,
			point_amount: '0.00',
			invoice_amount: amount,
			send_pay_date: chinaTime(payment.paidAt),
			buyer_user_id: payment.payer,
		});
	}
	const unpaid = findUnpaid(ctx, outTradeNo, tradeNo);
	if (!unpaid) return failed('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
	return ok({ trade_no: unpaid.tradeNo, out_trade_no: unpaid.outTradeNo, trade_status: ctx.ledger.closedAt('alipay', unpaid.outTradeNo) ? 'TRADE_CLOSED' : 'WAIT_BUYER_PAY', total_amount: yuan(unpaid.totalFen) });
}

/** alipay.trade.close: only a trade waiting for the buyer closes. */
function tradeClose(ctx: AlipayContext, content: Fields): Fields {
	const outTradeNo = text(content.out_trade_no);
	const tradeNo = text(content.trade_no);
	if (!outTradeNo && !tradeNo) return failed('40004', 'ACQ.INVALID_PARAMETER', '参数无效: out_trade_no 与 trade_no 不能同时为空');
	if (ctx.ledger.payment('alipay', outTradeNo, tradeNo)) return failed('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
	const unpaid = findUnpaid(ctx, outTradeNo, tradeNo);
	if (!unpaid) return failed('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
	if (ctx.ledger.closedAt('alipay', unpaid.outTradeNo) || ctx.ledger.closeOrder('alipay', unpaid.outTradeNo) === 'paid') return failed('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
	return ok({ trade_no: unpaid.tradeNo, out_trade_no: unpaid.outTradeNo });
}

/** alipay.data.dataservice.bill.downloadurl.query: a trade bill's 30-second link, from 10:00 the next day. */
function billUrl(ctx: AlipayContext, content: Fields, origin: string): Fields {
	const billType = text(content.bill_type);
	const billDate = text(content.bill_date) ?? '';
	if (billType !== 'trade' && billType !== 'signcustomer') return failed('40004', 'isv.invalid-arguments', '参数不合法: bill_type');
	if (!/^\d{4}-\d\d-\d\d$/.test(billDate) || Number.isNaN(Date.parse(`${billDate}T00:00:00+08:00`))) return failed('40004', 'isv.invalid-arguments', '参数不合法: bill_date');
	if (billType !== 'trade') return failed('40004', 'isp.bill_not_exist', '账单不存在（沙箱只有 trade 账单）');
	const now = ctx.clock.now();
	if (!billReady(billDate, now)) return failed('40004', 'isp.bill_not_exist', '账单不存在');
	return ok({ bill_download_url: ctx.alipayBillLinks.create(origin, ctx.ledger, billDate, now) });
}

const METHODS = [ALIPAY_REFUND_METHOD, ALIPAY_REFUND_QUERY_METHOD, ALIPAY_TRADE_QUERY_METHOD, ALIPAY_TRADE_CLOSE_METHOD, ALIPAY_BILL_METHOD];

/** `params`: query string and form body merged, as the gateway reads both; `origin`: this server, for bill links. */
export function handleAlipay(ctx: AlipayContext, params: Record<string, string>, origin = ''): AlipayAnswer {
	const method = params.method ?? '';
	const known = METHODS.includes(method);
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
	if (method === ALIPAY_REFUND_METHOD) return answer(refund(ctx, content));
	if (method === ALIPAY_REFUND_QUERY_METHOD) return answer(query(ctx, content));
	if (method === ALIPAY_TRADE_QUERY_METHOD) return answer(tradeQuery(ctx, content));
	if (method === ALIPAY_TRADE_CLOSE_METHOD) return answer(tradeClose(ctx, content));
	return answer(billUrl(ctx, content, origin));
}
