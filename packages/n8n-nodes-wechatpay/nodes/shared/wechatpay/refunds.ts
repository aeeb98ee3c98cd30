import type { IDataObject } from 'n8n-workflow';

import { requestText, type Ctx } from '../payments/http';
import type { RefundAdapter, RefundOrder, RefundState, Reply } from '../payments/refunds';
import { WECHAT_REFUNDS_PATH, weChatAuthorization, weChatHeaders, weChatSignatureProblem } from './api';
import type { WeChatPayCredentials } from './credentials';
import { WECHAT_PAY_WORDS } from './words';

/** WeChat Pay APIv3 refunds: `POST /v3/refund/domestic/refunds`, `GET …/{out_refund_no}`, every answer's signature checked. */

async function call(ctx: Ctx, creds: WeChatPayCredentials, method: 'GET' | 'POST', path: string, payload?: IDataObject): Promise<Reply<IDataObject>> {
	const body = payload ? JSON.stringify(payload) : '';
	const sent = await requestText(ctx, {
		method,
		url: `${creds.baseUrl}${path}`,
		headers: {
			Authorization: weChatAuthorization(creds, method, path, body),
			Accept: 'application/json',
			'Content-Type': 'application/json',
			'Wechatpay-Serial': creds.publicKeyId,
			'User-Agent': 'n8n-nodes-wechatpay',
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
	return { kind: 'answer', value: json };
}

function stateOf(body: IDataObject): RefundState {
	const status = String(body.status ?? '');
	const amount = (body.amount ?? {}) as IDataObject;
	return {
		status: (['SUCCESS', 'PROCESSING', 'CLOSED', 'ABNORMAL'].includes(status) ? status : 'PROCESSING') as RefundState['status'],
		providerStatus: status,
		refundId: body.refund_id === undefined ? undefined : String(body.refund_id),
		outTradeNo: typeof body.out_trade_no === 'string' ? body.out_trade_no : undefined,
		refundFen: typeof amount.refund === 'number' ? amount.refund : undefined,
		totalFen: typeof amount.total === 'number' ? amount.total : undefined,
		refundedAt: typeof body.success_time === 'string' && body.success_time ? body.success_time : undefined,
	};
}

export function weChatPayRefunds(creds: WeChatPayCredentials): RefundAdapter {
	return {
		...WECHAT_PAY_WORDS,
		async read(ctx, _outTradeNo, refundKey) {
			const reply = await call(ctx, creds, 'GET', `${WECHAT_REFUNDS_PATH}/${encodeURIComponent(refundKey)}`);
			if (reply.kind === 'refused' && reply.code === 'RESOURCE_NOT_EXISTS') return { kind: 'answer', value: undefined };
			return reply.kind === 'answer' ? { kind: 'answer', value: stateOf(reply.value) } : reply;
		},
		async send(ctx, order: RefundOrder) {
			const payload: IDataObject = {
				out_trade_no: order.outTradeNo,
				out_refund_no: order.refundKey,
				amount: { refund: order.refundFen, total: order.totalFen, currency: 'CNY' },
			};
			if (order.reason) payload.reason = order.reason;
			const reply = await call(ctx, creds, 'POST', WECHAT_REFUNDS_PATH, payload);
			return reply.kind === 'answer' ? { kind: 'answer', value: { state: stateOf(reply.value), existed: false } } : reply;
		},
	};
}
