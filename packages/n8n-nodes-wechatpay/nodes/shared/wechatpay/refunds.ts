import type { IDataObject } from 'n8n-workflow';

import type { RefundAdapter, RefundOrder, RefundState } from '../payments/refunds';
import { WECHAT_REFUNDS_PATH } from './api';
import { weChatCall as call } from './client';
import type { WeChatPayCredentials } from './credentials';
import { WECHAT_PAY_WORDS } from './words';

/** WeChat Pay APIv3 refunds: `POST /v3/refund/domestic/refunds`, `GET …/{out_refund_no}`, every answer's signature checked. */

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
