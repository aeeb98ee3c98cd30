import type { IncomingHttpHeaders } from 'http';

import { rsaVerify } from '../../packages/shared/rsa';
import { parseWeChatAuthorization, signWeChatBody, WECHAT_MAX_SKEW_SECONDS, WECHAT_REFUNDS_PATH } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import type { KeyRing } from './keys';
import { WECHAT_MCH_ID } from './keys';
import { chinaIso, type Ledger, type Payment, type Refund } from './ledger';

/** WeChat Pay API v3 refunds: request signature check, the refund rules, signed answers. */

export interface WeChatContext {
	keys: KeyRing;
	ledger: Ledger;
}

export interface WeChatCall {
	method: string;
	/** Path and query exactly as sent: the signature covers them. */
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export interface WeChatAnswer {
	status: number;
	body: Record<string, unknown>;
	/** For the log line. */
	code: string;
}

const REFUND_KEY = /^[A-Za-z0-9_\-|*@]{1,64}$/;
const refusal = (status: number, code: string, message: string): WeChatAnswer => ({ status, body: { code, message }, code });

/** The v3 refund object, as POST and GET answer it. */
export function refundObject(refund: Refund, payment: Payment): Record<string, unknown> {
	return {
		refund_id: refund.refundId,
		out_refund_no: refund.refundKey,
		transaction_id: refund.transactionId,
		out_trade_no: refund.outTradeNo,
		channel: 'ORIGINAL',
		user_received_account: '支付用户零钱',
		// WeChat sends success_time only once the money is back.
		...(refund.successAt ? { success_time: chinaIso(refund.successAt) } : {}),
		create_time: chinaIso(refund.createdAt),
		status: refund.status,
		funds_account: 'AVAILABLE',
		amount: {
			total: payment.totalFen,
			refund: refund.refundFen,
			from: [],
			payer_total: payment.totalFen,
			payer_refund: refund.refundFen,
			settlement_refund: refund.refundFen,
			settlement_total: payment.totalFen,
			discount_refund: 0,
			currency: 'CNY',
		},
	};
}

/** Why the Authorization header is not acceptable, or undefined. */
function authProblem(ctx: WeChatContext, call: WeChatCall): string | undefined {
	const auth = parseWeChatAuthorization(call.headers.authorization);
	if (!auth) return 'Authorization 头缺失或不是 WECHATPAY2-SHA256-RSA2048';
	if (auth.mchid !== WECHAT_MCH_ID) return `商户号 ${auth.mchid ?? ''} 与签名不匹配`;
	if (auth.serial_no !== ctx.keys.pems.serialNo) return '商户证书序列号 serial_no 不正确';
	const seconds = Number(auth.timestamp);
	if (!/^\d{1,12}$/.test(auth.timestamp ?? '') || Math.abs(Date.now() / 1000 - seconds) > WECHAT_MAX_SKEW_SECONDS) return '签名时间戳 timestamp 已过期';
	const text = `${call.method}\n${call.url}\n${auth.timestamp}\n${auth.nonce_str}\n${call.body}\n`;
	if (!rsaVerify(text, auth.signature, ctx.keys.merchantPublic)) return '签名错误，请检查商户API私钥与签名串';
	return undefined;
}

function createRefund(ctx: WeChatContext, body: string): WeChatAnswer {
	let json: Record<string, unknown>;
	try {
		json = JSON.parse(body) as Record<string, unknown>;
	} catch {
		return refusal(400, 'PARAM_ERROR', '请求体不是合法的JSON');
	}
	const amount = (json?.amount ?? {}) as Record<string, unknown>;
	const outTradeNo = json.out_trade_no;
	const key = json.out_refund_no;
	if (typeof outTradeNo !== 'string' || outTradeNo === '') return refusal(400, 'PARAM_ERROR', '缺少参数 out_trade_no');
	if (typeof key !== 'string' || !REFUND_KEY.test(key)) return refusal(400, 'PARAM_ERROR', 'out_refund_no 须为1-64位字母、数字或_-|*@');
	if (!Number.isInteger(amount.refund) || (amount.refund as number) <= 0) return refusal(400, 'PARAM_ERROR', 'amount.refund 须为正整数（分）');
	if (!Number.isInteger(amount.total) || (amount.total as number) <= 0) return refusal(400, 'PARAM_ERROR', 'amount.total 须为正整数（分）');
	if (amount.currency !== undefined && amount.currency !== 'CNY') return refusal(400, 'PARAM_ERROR', 'amount.currency 仅支持 CNY');
	const outcome = ctx.ledger.requestRefund('weChatPay', {
		outTradeNo,
		refundKey: key,
		refundFen: amount.refund as number,
		totalFen: amount.total as number,
		reason: typeof json.reason === 'string' ? json.reason : undefined,
	});
	if (outcome.ok) return { status: 200, body: refundObject(outcome.refund, outcome.payment), code: outcome.repeat ? `${outcome.refund.status} (repeat)` : outcome.refund.status };
	if (outcome.reason === 'no-payment') return refusal(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
	if (outcome.reason === 'total-mismatch') return refusal(400, 'INVALID_REQUEST', '订单金额 amount.total 与原订单金额不一致');
	if (outcome.reason === 'other-payment') return refusal(400, 'INVALID_REQUEST', '退款单号 out_refund_no 已用于其他订单');
	return refusal(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
}

function readRefund(ctx: WeChatContext, key: string): WeChatAnswer {
	const refund = ctx.ledger.refund('weChatPay', key);
	if (!refund) return refusal(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
	refund.reads++;
	return { status: 200, body: refundObject(refund, ctx.ledger.payment('weChatPay', refund.outTradeNo) as Payment), code: refund.status };
}

export function handleWeChat(ctx: WeChatContext, call: WeChatCall): WeChatAnswer {
	const path = call.url.split('?')[0];
	const one = path.startsWith(`${WECHAT_REFUNDS_PATH}/`) ? path.slice(WECHAT_REFUNDS_PATH.length + 1) : undefined;
	const known = (call.method === 'POST' && path === WECHAT_REFUNDS_PATH) || (call.method === 'GET' && one !== undefined && !one.includes('/'));
	if (!known) return refusal(404, 'NOT_FOUND', `no such API: ${call.method} ${path}`);
	const problem = authProblem(ctx, call);
	if (problem) return refusal(401, 'SIGN_ERROR', problem);
	// The client's Wechatpay-Serial names the platform key it trusts; a stale one is refused like WeChat does.
	const serial = call.headers['wechatpay-serial'];
	if (serial !== undefined && serial !== ctx.keys.pems.publicKeyId) return refusal(400, 'PARAM_ERROR', 'Wechatpay-Serial 不是当前微信支付公钥ID');
	if (call.method === 'POST') return createRefund(ctx, call.body);
	let key: string;
	try {
		key = decodeURIComponent(one as string);
	} catch {
		return refusal(400, 'PARAM_ERROR', 'out_refund_no 编码错误');
	}
	return readRefund(ctx, key);
}

/** Every answer, refusals too, is signed with the platform key as WeChat Pay does. */
export function weChatAnswerHeaders(keys: KeyRing, text: string): Record<string, string> {
	return { 'Content-Type': 'application/json', ...signWeChatBody(keys.platformPrivate, keys.pems.publicKeyId, text) };
}
