import type { IDataObject } from 'n8n-workflow';

import type { Ctx } from '../payments/http';
import { parseAttach } from '../payments/attach';
import type { Reply } from '../payments/refunds';
import { weChatCall } from './client';
import type { WeChatPayCredentials } from './credentials';

/** Payment → Get / Close: `GET /v3/pay/transactions/{out-trade-no|id}/…`, `POST …/out-trade-no/{no}/close`. */

export type PaymentKey = { outTradeNo: string } | { transactionId: string };

/**
 * The transaction as WeChat Pay answers it — the same object the WeChat Pay Notification Trigger
 * outputs (amount.total in fen, `attach` an object when it is a query string) — plus `total_amount`
 * in yuan.
 */
export function paymentItem(transaction: IDataObject): IDataObject {
	const attach = parseAttach(transaction.attach);
	const total = (transaction.amount as IDataObject | undefined)?.total;
	return {
		...transaction,
		...(attach === undefined ? {} : { attach }),
		...(typeof total === 'number' ? { total_amount: total / 100 } : {}),
	};
}

export async function getPayment(ctx: Ctx, creds: WeChatPayCredentials, key: PaymentKey): Promise<Reply<IDataObject>> {
	const mchid = `mchid=${encodeURIComponent(creds.mchId)}`;
	const path = 'outTradeNo' in key ? `/v3/pay/transactions/out-trade-no/${encodeURIComponent(key.outTradeNo)}?${mchid}` : `/v3/pay/transactions/id/${encodeURIComponent(key.transactionId)}?${mchid}`;
	return await weChatCall(ctx, creds, 'GET', path);
}

/** 204 on success: the order can no longer be paid. */
export async function closePayment(ctx: Ctx, creds: WeChatPayCredentials, outTradeNo: string): Promise<Reply<IDataObject>> {
	return await weChatCall(ctx, creds, 'POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: creds.mchId });
}
