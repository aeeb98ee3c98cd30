import type { KeyObject } from 'crypto';

import { objectText } from '../common/jsonText';
import { toChinaTime } from '../common/chinaTime';
import { rsaSign, rsaVerify } from '../payments/rsa';

/** Alipay OpenAPI (支付宝开放平台), RSA2: signed gateway requests, signed answers, signed notifications. */

export const ALIPAY_DEFAULT_GATEWAY = 'https://openapi.alipay.com/gateway.do';
export const ALIPAY_REFUND_METHOD = 'alipay.trade.refund';
export const ALIPAY_REFUND_QUERY_METHOD = 'alipay.trade.fastpay.refund.query';
export const ALIPAY_TRADE_QUERY_METHOD = 'alipay.trade.query';
export const ALIPAY_TRADE_CLOSE_METHOD = 'alipay.trade.close';
export const ALIPAY_BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query';
/** The answer code of a call that succeeded; anything else is a refusal (sub_code says why). */
export const ALIPAY_SUCCESS_CODE = '10000';

type Params = Record<string, unknown>;

/** `k=v&…` over the non-empty params in key order, leaving out `sign` (and `sign_type` for notifications). */
export function alipaySignContent(params: Params, kind: 'request' | 'notification'): string {
	const skip = kind === 'request' ? ['sign'] : ['sign', 'sign_type'];
	return Object.keys(params)
		.filter((key) => !skip.includes(key) && params[key] !== undefined && params[key] !== null && params[key] !== '')
		.sort()
		.map((key) => `${key}=${typeof params[key] === 'string' ? params[key] : JSON.stringify(params[key])}`)
		.join('&');
}

/** The public parameters of a gateway call with `biz_content`, signed (RSA2) with the app private key. */
export function signedAlipayRequest(appId: string, method: string, bizContent: Params, privateKey: KeyObject, now = new Date()): Record<string, string> {
	const params: Record<string, string> = {
		app_id: appId,
		method,
		format: 'JSON',
		charset: 'utf-8',
		sign_type: 'RSA2',
		timestamp: toChinaTime(now) as string,
		version: '1.0',
		biz_content: JSON.stringify(bizContent),
	};
	params.sign = rsaSign(alipaySignContent(params, 'request'), privateKey);
	return params;
}

export function verifyAlipayRequest(params: Params, publicKey: KeyObject): boolean {
	return params.sign_type === 'RSA2' && rsaVerify(alipaySignContent(params, 'request'), params.sign, publicKey);
}

/** A notification's `sign` (RSA2, without sign and sign_type) checked with the Alipay public key. */
export function verifyAlipayNotification(params: Params, publicKey: KeyObject): boolean {
	if (params.sign_type !== undefined && params.sign_type !== 'RSA2') return false;
	return rsaVerify(alipaySignContent(params, 'notification'), params.sign, publicKey);
}

export function signAlipayNotification(params: Record<string, string>, privateKey: KeyObject): Record<string, string> {
	return { ...params, sign_type: 'RSA2', sign: rsaSign(alipaySignContent(params, 'notification'), privateKey) };
}

/** `alipay.trade.refund` → `alipay_trade_refund_response`. */
export const responseKey = (method: string) => `${method.replace(/\./g, '_')}_response`;

export interface AlipayAnswer {
	/** The answer node (`…_response` or `error_response`). */
	response: Record<string, unknown>;
	/** Whether `sign` verified over the node's exact text; false when absent or wrong. */
	signatureValid: boolean;
	signed: boolean;
}

/** Reads a gateway answer; the signature covers the node's text exactly as sent, so it is cut out, not re-serialised. */
export function readAlipayAnswer(text: string, method: string, publicKey: KeyObject): AlipayAnswer | undefined {
	let parsed: Record<string, unknown>;
	try {
		parsed = JSON.parse(text) as Record<string, unknown>;
	} catch {
		return undefined;
	}
	const key = [responseKey(method), 'error_response'].find((name) => parsed[name] && typeof parsed[name] === 'object');
	if (!key) return undefined;
	const at = text.indexOf(`"${key}"`);
	const raw = at < 0 ? undefined : objectText(text, text.indexOf('{', at + key.length + 2));
	const signed = typeof parsed.sign === 'string' && parsed.sign !== '';
	return { response: parsed[key] as Record<string, unknown>, signed, signatureValid: signed && !!raw && rsaVerify(raw, parsed.sign, publicKey) };
}

/** A signed gateway answer as Alipay writes it (provider sandbox side). */
export function signAlipayAnswer(method: string, response: Record<string, unknown>, privateKey: KeyObject): string {
	const raw = JSON.stringify(response);
	return `{"${responseKey(method)}":${raw},"sign":"${rsaSign(raw, privateKey)}"}`;
}
