import { createPublicKey, createSign, type KeyObject, X509Certificate } from 'crypto';
import type { IncomingHttpHeaders } from 'http';

import { rsaVerify } from '../../packages/shared/rsa';
import { encryptResource, parseWeChatAuthorization, signWeChatBody, WECHAT_MAX_SKEW_SECONDS, WECHAT_REFUNDS_PATH } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import type { KeyRing } from './keys';
import { WECHAT_APP_ID, WECHAT_MCH_ID } from './keys';
import { chinaIso, type Ledger, type Payment, type Refund } from './ledger';
import type { WeChatBills } from './weChatBill';
import { refusal, type WeChatAnswer } from './weChatAnswer';
import { billDownload, tradeBill } from './weChatBillRoutes';

export { refusal, type WeChatAnswer } from './weChatAnswer';

/**
 * WeChat Pay API v3: request signature check, then refunds, payment look-up and close, trade bills
 * and the platform certificates; every answer signed (but a bill file, which WeChat does not sign).
 */

export interface WeChatContext {
	keys: KeyRing;
	ledger: Ledger;
	weChatBills: WeChatBills;
}

export interface WeChatCall {
	method: string;
	/** Path and query exactly as sent: the signature covers them. */
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

const REFUND_KEY = /^[A-Za-z0-9_\-|*@]{1,64}$/;

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

/** The v3 transaction object (query by out_trade_no or transaction_id), as WeChat Pay answers it. */
function transactionObject(ledger: Ledger, p: Payment): Record<string, unknown> {
	const refunded = ledger.refunds().some((r) => r.provider === 'weChatPay' && r.outTradeNo === p.outTradeNo);
	return {
		appid: WECHAT_APP_ID,
		mchid: WECHAT_MCH_ID,
		out_trade_no: p.outTradeNo,
		transaction_id: p.transactionId,
		trade_type: 'NATIVE',
		trade_state: refunded ? 'REFUND' : 'SUCCESS',
		trade_state_desc: refunded ? '转入退款' : '支付成功',
		bank_type: 'OTHERS',
		attach: p.attach,
		success_time: chinaIso(p.paidAt),
		payer: { openid: p.payer },
		amount: { total: p.totalFen, payer_total: p.totalFen, currency: 'CNY', payer_currency: 'CNY' },
	};
}

function queryPayment(ctx: WeChatContext, by: 'out-trade-no' | 'id', key: string, mchid: string | null): WeChatAnswer {
	if (mchid !== WECHAT_MCH_ID) return refusal(400, 'PARAM_ERROR', '参数错误：mchid 缺失或与商户号不符');
	const payment = by === 'id' ? ctx.ledger.payment('weChatPay', undefined, key) : ctx.ledger.payment('weChatPay', key);
	if (payment) return { status: 200, body: transactionObject(ctx.ledger, payment), code: 'SUCCESS' };
	const closedAt = by === 'out-trade-no' ? ctx.ledger.closedAt('weChatPay', key) : undefined;
	if (closedAt) return { status: 200, body: { appid: WECHAT_APP_ID, mchid: WECHAT_MCH_ID, out_trade_no: key, trade_state: 'CLOSED', trade_state_desc: '订单已关闭', attach: '', amount: { currency: 'CNY', payer_currency: 'CNY' } }, code: 'CLOSED' };
	return refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
}

function closeOrder(ctx: WeChatContext, outTradeNo: string, body: string): WeChatAnswer {
	let json: Record<string, unknown> | undefined;
	try {
		json = JSON.parse(body) as Record<string, unknown>;
	} catch {
		json = undefined;
	}
	if (json?.mchid !== WECHAT_MCH_ID) return refusal(400, 'PARAM_ERROR', '参数错误：mchid 缺失或与商户号不符');
	if (ctx.ledger.closeOrder('weChatPay', outTradeNo) === 'paid') return refusal(400, 'ORDERPAID', '订单已支付，不能关闭');
	return { status: 204, body: {}, code: 'closed', empty: true };
}

/** DER: one tag-length-value. */
function tlv(tag: number, content: Buffer): Buffer {
	const n = content.length;
	const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
	return Buffer.concat([Buffer.from([tag]), length, content]);
}

const SHA256_RSA = Buffer.from('300d06092a864886f70d01010b0500', 'hex');
const utcTime = (at: Date) => tlv(0x17, Buffer.from(`${at.toISOString().slice(2, 19).replace(/\D/g, '')}Z`));
const commonName = (cn: string) => tlv(0x30, tlv(0x31, tlv(0x30, Buffer.concat([Buffer.from('0603550403', 'hex'), tlv(0x0c, Buffer.from(cn))]))));
const certificateOf = new WeakMap<KeyObject, string>();

/** A self-signed X.509 v3 certificate of the platform key (the sandbox has no CA), PEM; one per key. */
function platformCertificate(keys: KeyRing): string {
	const known = certificateOf.get(keys.platformPrivate);
	if (known) return known;
	const now = Date.now();
	const tbs = tlv(0x30, Buffer.concat([
		Buffer.from('a003020102', 'hex'), // version 3
		tlv(0x02, Buffer.concat([Buffer.from([0x01]), Buffer.from(keys.pems.serialNo.slice(0, 30), 'hex')])),
		SHA256_RSA,
		commonName('Tenpay.com Root CA (sandbox)'),
		tlv(0x30, Buffer.concat([utcTime(new Date(now - 86400_000)), utcTime(new Date(now + 5 * 365 * 86400_000))])),
		commonName(`${WECHAT_MCH_ID} sandbox platform`),
		createPublicKey(keys.platformPrivate).export({ type: 'spki', format: 'der' }),
	]));
	const signature = createSign('RSA-SHA256').update(tbs).sign(keys.platformPrivate);
	const der = tlv(0x30, Buffer.concat([tbs, SHA256_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]));
	const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
	certificateOf.set(keys.platformPrivate, pem);
	return pem;
}

/** `GET /v3/certificates`: the platform certificate, encrypted with the APIv3 key like a notification's resource. */
function certificates(ctx: WeChatContext): WeChatAnswer {
	const certificate = platformCertificate(ctx.keys);
	const x509 = new X509Certificate(certificate);
	return {
		status: 200,
		body: {
			data: [
				{
					serial_no: x509.serialNumber,
					effective_time: chinaIso(new Date(x509.validFrom)),
					expire_time: chinaIso(new Date(x509.validTo)),
					encrypt_certificate: encryptResource(ctx.keys.pems.apiV3Key, certificate, 'certificate', 'certificate'),
				},
			],
		},
		code: 'SUCCESS',
	};
}

function decoded(part: string): string | undefined {
	try {
		return decodeURIComponent(part);
	} catch {
		return undefined;
	}
}

type Route = (ctx: WeChatContext, call: WeChatCall, match: RegExpExecArray, query: URLSearchParams) => WeChatAnswer;

const ROUTES: Array<[method: string, path: RegExp, route: Route]> = [
	['POST', new RegExp(`^${WECHAT_REFUNDS_PATH}$`), (ctx, call) => createRefund(ctx, call.body)],
	['GET', new RegExp(`^${WECHAT_REFUNDS_PATH}/([^/]+)$`), (ctx, _call, m) => readRefund(ctx, m[1])],
	['GET', /^\/v3\/pay\/transactions\/(out-trade-no|id)\/([^/]+)$/, (ctx, _call, m, q) => queryPayment(ctx, m[1] as 'out-trade-no' | 'id', m[2], q.get('mchid'))],
	['POST', /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/, (ctx, call, m) => closeOrder(ctx, m[1], call.body)],
	['GET', /^\/v3\/bill\/tradebill$/, (ctx, call, _m, q) => tradeBill(ctx.weChatBills, q, `http://${call.headers.host ?? '127.0.0.1'}`)],
	['GET', /^\/v3\/billdownload\/file$/, (ctx, _call, _m, q) => billDownload(ctx.weChatBills, q.get('token') ?? '')],
	['GET', /^\/v3\/certificates$/, (ctx) => certificates(ctx)],
];

export function handleWeChat(ctx: WeChatContext, call: WeChatCall): WeChatAnswer {
	const [path, queryText = ''] = call.url.split('?');
	let found: { route: Route; match: RegExpExecArray } | undefined;
	for (const [method, pattern, route] of ROUTES) {
		const match = method === call.method ? pattern.exec(path) : null;
		if (match) found = { route, match };
	}
	if (!found) return refusal(404, 'NOT_FOUND', `no such API: ${call.method} ${path}`);
	const problem = authProblem(ctx, call);
	if (problem) return refusal(401, 'SIGN_ERROR', problem);
	// The client's Wechatpay-Serial names the platform key it trusts; a stale one is refused like WeChat does.
	const serial = call.headers['wechatpay-serial'];
	if (serial !== undefined && serial !== ctx.keys.pems.publicKeyId) return refusal(400, 'PARAM_ERROR', 'Wechatpay-Serial 不是当前微信支付公钥ID');
	const parts = found.match.map((part, i) => (i === 0 ? part : decoded(part)));
	if (parts.some((part) => part === undefined)) return refusal(400, 'PARAM_ERROR', '路径参数编码错误');
	return found.route(ctx, call, Object.assign(parts as string[], { index: found.match.index, input: found.match.input }) as RegExpExecArray, new URLSearchParams(queryText));
}

/** Every answer, refusals too, is signed with the platform key as WeChat Pay does. */
export function weChatAnswerHeaders(keys: KeyRing, text: string): Record<string, string> {
	return { 'Content-Type': 'application/json', ...signWeChatBody(keys.platformPrivate, keys.pems.publicKeyId, text) };
}
