import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { chinaTimeToIso } from '../common/chinaTime';
import { networkCode, neverSent } from '../common/network';
import type { AlipayCredentials, WeChatPayCredentials } from './credentials';
import { ALIPAY_REFUND_METHOD, ALIPAY_REFUND_QUERY_METHOD, ALIPAY_SUCCESS_CODE, readAlipayAnswer, signedAlipayRequest } from './alipay';
import { providerRefusal, unknownOutcome } from './errors';
import { WECHAT_REFUNDS_PATH, weChatAuthorization, weChatHeaders, weChatSignatureProblem } from './weChatPay';

/**
 * Refunds at WeChat Pay and Alipay. The Refund Key (out_refund_no / out_request_no) makes the
 * provider pay one refund once whatever is sent; still, a refund whose answer was lost is read
 * back before it is sent again, and every refund is read first so a repeat says so.
 */

export interface RefundOrder {
	outTradeNo: string;
	refundKey: string;
	refundFen: number;
	/** WeChat Pay needs the payment's total; Alipay does not. */
	totalFen?: number;
	reason?: string;
}

/** A refund as the provider knows it, in one vocabulary. */
export interface RefundState {
	status: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
	/** The provider's own status word (WeChat `status`, Alipay `refund_status` / `fund_change`). */
	providerStatus: string;
	refundId?: string;
	refundFen?: number;
	totalFen?: number;
	/** When the money went back (ISO 8601), if it did. */
	refundedAt?: string;
	/** Alipay only: whether this very call moved money (`fund_change`). */
	fundChange?: boolean;
}

type Reply = { kind: 'answer'; status: number; body: IDataObject } | { kind: 'refused'; code: string; message: string; status?: number } | { kind: 'unknown'; why: string; sent: boolean };

export type Ctx = { helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>; getNode(): INode };

async function http(ctx: Ctx, options: IHttpRequestOptions): Promise<{ statusCode: number; headers: IDataObject; body: string } | { error: string; sent: boolean }> {
	try {
		const response = (await ctx.helpers.httpRequest({ ...options, encoding: 'text', json: false, returnFullResponse: true, ignoreHttpStatusErrors: true, timeout: 20000 })) as {
			statusCode: number;
			headers: IDataObject;
			body: unknown;
		};
		const body = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body };
	} catch (error) {
		const code = networkCode(error); // classified as the DingShang transport does
		return { error: code ?? 'network error', sent: !neverSent(code) };
	}
}

const fenOf = (yuan: unknown) => (yuan === undefined || yuan === null || yuan === '' ? undefined : Math.round(Number(yuan) * 100));

// ---------------------------------------------------------------- WeChat Pay v3

async function weChatCall(ctx: Ctx, creds: WeChatPayCredentials, method: 'GET' | 'POST', path: string, payload?: IDataObject): Promise<Reply> {
	const body = payload ? JSON.stringify(payload) : '';
	const sent = await http(ctx, {
		method,
		url: `${creds.baseUrl}${path}`,
		headers: {
			Authorization: weChatAuthorization(creds, method, path, body),
			Accept: 'application/json',
			'Content-Type': 'application/json',
			'Wechatpay-Serial': creds.publicKeyId,
			'User-Agent': 'n8n-nodes-dingshang',
		},
		body: payload ? body : undefined,
	});
	if ('error' in sent) return { kind: 'unknown', why: `no answer (${sent.error})`, sent: sent.sent };
	let json: IDataObject;
	try {
		json = JSON.parse(sent.body) as IDataObject;
	} catch {
		return { kind: 'unknown', why: `HTTP ${sent.statusCode} with a body that is not JSON`, sent: true };
	}
	if (sent.statusCode >= 500) return { kind: 'unknown', why: `HTTP ${sent.statusCode} ${String(json.code ?? '')}`.trim(), sent: true };
	// Every signed answer must verify — a "no such refund" too, since it leads to sending one. Only an
	// unsigned refusal (a proxy's, or WeChat Pay's own SIGN_ERROR) is taken as it is: nothing moved.
	const headers = weChatHeaders(sent.headers);
	const unsignedRefusal = sent.statusCode >= 400 && headers.signature === undefined;
	const problem = unsignedRefusal ? undefined : weChatSignatureProblem(headers, sent.body, creds.publicKey, creds.publicKeyId);
	if (problem) return { kind: 'unknown', why: `answer not trusted: ${problem}`, sent: true };
	if (sent.statusCode >= 400) return { kind: 'refused', code: String(json.code ?? `HTTP_${sent.statusCode}`), message: String(json.message ?? ''), status: sent.statusCode };
	return { kind: 'answer', status: sent.statusCode, body: json };
}

function weChatState(body: IDataObject): RefundState {
	const status = String(body.status ?? '');
	const amount = (body.amount ?? {}) as IDataObject;
	return {
		status: (['SUCCESS', 'PROCESSING', 'CLOSED', 'ABNORMAL'].includes(status) ? status : 'PROCESSING') as RefundState['status'],
		providerStatus: status,
		refundId: body.refund_id === undefined ? undefined : String(body.refund_id),
		refundFen: typeof amount.refund === 'number' ? amount.refund : undefined,
		totalFen: typeof amount.total === 'number' ? amount.total : undefined,
		refundedAt: typeof body.success_time === 'string' && body.success_time ? body.success_time : undefined,
	};
}

// ---------------------------------------------------------------- Alipay

async function alipayCall(ctx: Ctx, creds: AlipayCredentials, method: string, biz: IDataObject): Promise<Reply> {
	const params = signedAlipayRequest(creds.appId, method, biz, creds.privateKey);
	const sent = await http(ctx, {
		method: 'POST',
		url: creds.gatewayUrl,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', Accept: 'application/json' },
		body: new URLSearchParams(params).toString(),
	});
	if ('error' in sent) return { kind: 'unknown', why: `no answer (${sent.error})`, sent: sent.sent };
	const answer = readAlipayAnswer(sent.body, method, creds.alipayPublicKey);
	if (!answer) return { kind: 'unknown', why: `HTTP ${sent.statusCode} with a body that is not an Alipay answer`, sent: true };
	const code = String(answer.response.code ?? '');
	if (code !== ALIPAY_SUCCESS_CODE) {
		const subCode = String(answer.response.sub_code ?? code);
		if (subCode === 'ACQ.SYSTEM_ERROR' || code === '20000') return { kind: 'unknown', why: `${subCode} ${String(answer.response.sub_msg ?? '')}`.trim(), sent: true };
		return { kind: 'refused', code: subCode, message: String(answer.response.sub_msg ?? answer.response.msg ?? '') };
	}
	if (!answer.signatureValid) return { kind: 'unknown', why: `answer not trusted: ${answer.signed ? 'sign does not verify with the Alipay public key' : 'answer is not signed'}`, sent: true };
	return { kind: 'answer', status: sent.statusCode, body: answer.response as IDataObject };
}

function alipayState(body: IDataObject, fromRefund: boolean): RefundState | undefined {
	if (fromRefund) {
		const fundChange = body.fund_change === 'Y';
		return {
			status: 'SUCCESS',
			providerStatus: `fund_change=${String(body.fund_change ?? '')}`,
			refundId: typeof body.trade_no === 'string' ? body.trade_no : undefined,
			refundFen: fenOf(body.send_back_fee ?? body.refund_fee),
			refundedAt: chinaTimeToIso(body.gmt_refund_pay),
			fundChange,
		};
	}
	// Refund query: Alipay answers 10000 without refund_status for a refund it does not know.
	if (body.refund_status !== 'REFUND_SUCCESS') return undefined;
	return {
		status: 'SUCCESS',
		providerStatus: 'REFUND_SUCCESS',
		refundId: typeof body.trade_no === 'string' ? body.trade_no : undefined,
		refundFen: fenOf(body.refund_amount),
		totalFen: fenOf(body.total_amount),
		refundedAt: chinaTimeToIso(body.gmt_refund_pay),
	};
}

// ---------------------------------------------------------------- both

export type Credentials = { provider: 'weChatPay'; creds: WeChatPayCredentials } | { provider: 'alipay'; creds: AlipayCredentials };

/** Reads a refund by its key: the state, or undefined when the provider has none with this key. */
export async function readRefund(
	ctx: Ctx,
	account: Credentials,
	outTradeNo: string,
	refundKey: string,
	itemIndex?: number,
	refundSent = false,
	attempts = 3,
): Promise<RefundState | undefined> {
	for (let attempt = 1; ; attempt++) {
		const reply =
			account.provider === 'weChatPay'
				? await weChatCall(ctx, account.creds, 'GET', `${WECHAT_REFUNDS_PATH}/${encodeURIComponent(refundKey)}`)
				: await alipayCall(ctx, account.creds, ALIPAY_REFUND_QUERY_METHOD, { out_trade_no: outTradeNo, out_request_no: refundKey });
		if (reply.kind === 'answer') return account.provider === 'weChatPay' ? weChatState(reply.body) : alipayState(reply.body, false);
		if (reply.kind === 'refused') {
			if (account.provider === 'weChatPay' && reply.code === 'RESOURCE_NOT_EXISTS') return undefined;
			throw providerRefusal(ctx.getNode(), account.provider, reply.code, reply.message, itemIndex, reply.status);
		}
		if (attempt >= attempts) throw unknownOutcome(ctx.getNode(), account.provider, `could not read the refund: ${reply.why}`, refundSent, itemIndex);
		await sleep(300 * 2 ** (attempt - 1));
	}
}

async function sendRefund(ctx: Ctx, account: Credentials, order: RefundOrder): Promise<Reply> {
	if (account.provider === 'weChatPay') {
		const payload: IDataObject = {
			out_trade_no: order.outTradeNo,
			out_refund_no: order.refundKey,
			amount: { refund: order.refundFen, total: order.totalFen, currency: 'CNY' },
		};
		if (order.reason) payload.reason = order.reason;
		return await weChatCall(ctx, account.creds, 'POST', WECHAT_REFUNDS_PATH, payload);
	}
	const biz: IDataObject = { out_trade_no: order.outTradeNo, out_request_no: order.refundKey, refund_amount: (order.refundFen / 100).toFixed(2) };
	if (order.reason) biz.refund_reason = order.reason;
	return await alipayCall(ctx, account.creds, ALIPAY_REFUND_METHOD, biz);
}

/**
 * Creates a refund unless its key already has one. `existed` tells a repeat (already refunded or
 * already requested) from a refund made by this call.
 */
export async function createRefund(ctx: Ctx, account: Credentials, order: RefundOrder, itemIndex?: number): Promise<{ state: RefundState; existed: boolean }> {
	const before = await readRefund(ctx, account, order.outTradeNo, order.refundKey, itemIndex);
	if (before) return { state: before, existed: true };
	let sentOnce = false;
	for (let send = 1; ; send++) {
		const reply = await sendRefund(ctx, account, order);
		sentOnce ||= reply.kind !== 'unknown' || reply.sent;
		if (reply.kind === 'refused') throw providerRefusal(ctx.getNode(), account.provider, reply.code, reply.message, itemIndex, reply.status);
		if (reply.kind === 'answer') {
			const state = account.provider === 'weChatPay' ? weChatState(reply.body) : (alipayState(reply.body, true) as RefundState);
			// Alipay answers a repeated out_request_no with success and fund_change N: nothing moved this time.
			return { state, existed: state.fundChange === false };
		}
		// Outcome unknown: read before anything is sent again.
		if (reply.sent) {
			const after = await readRefund(ctx, account, order.outTradeNo, order.refundKey, itemIndex, true);
			if (after) return { state: after, existed: false };
		}
		// Not there: sending again with the same key cannot pay twice. Once.
		if (send >= 2) throw unknownOutcome(ctx.getNode(), account.provider, `the refund request got no usable answer twice (${reply.why})`, sentOnce, itemIndex);
	}
}
