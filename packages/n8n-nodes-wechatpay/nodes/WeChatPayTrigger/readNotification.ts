import type { IDataObject } from 'n8n-workflow';

import { verifyAlipayNotification } from '../shared/payments/alipay';
import type { AlipayVerifier, WeChatPayVerifier } from '../shared/payments/credentials';
import { decryptResource, weChatHeaders, weChatSignatureProblem, type WeChatResource } from '../shared/payments/weChatPay';
import { alipayPaymentItem, weChatPaymentItem } from './paymentItem';

/**
 * Verification of one notification, apart from the webhook plumbing: what to emit (with the key
 * that makes re-pushed copies duplicates), what to acknowledge and ignore, or why to refuse.
 */
export type Reading =
	| { accept: true; item: IDataObject; dedupeKey: string }
	| { accept: true; ignored: string }
	| { accept: false; status: 400 | 401 | 500; message: string };

const refuse = (status: 400 | 401, message: string): Reading => ({ accept: false, status, message });

/** WeChat Pay v3: signature over the exact body, ±5 minutes, AES-256-GCM resource, TRANSACTION.SUCCESS only. */
export function readWeChatNotification(headers: IDataObject, rawBody: string | undefined, creds: WeChatPayVerifier, nowMs = Date.now()): Reading {
	if (!rawBody) return refuse(400, 'empty body');
	const problem = weChatSignatureProblem(weChatHeaders(headers), rawBody, creds.publicKey, creds.publicKeyId, nowMs);
	if (problem) return refuse(401, `signature rejected: ${problem}`);
	let notification: IDataObject;
	try {
		notification = JSON.parse(rawBody) as IDataObject;
	} catch {
		return refuse(400, 'body is not JSON');
	}
	if (notification.event_type !== 'TRANSACTION.SUCCESS') return { accept: true, ignored: `event ${String(notification.event_type)}` };
	let transaction: IDataObject;
	try {
		transaction = JSON.parse(decryptResource(creds.apiV3Key, (notification.resource ?? {}) as WeChatResource)) as IDataObject;
	} catch (error) {
		return refuse(400, (error as Error).message.startsWith('Unexpected') ? 'resource is not JSON' : (error as Error).message);
	}
	if (String(transaction.mchid ?? '') !== creds.mchId) return refuse(400, `payment of merchant "${String(transaction.mchid)}", not of the credential's Merchant ID`);
	if (transaction.trade_state !== 'SUCCESS') return { accept: true, ignored: `trade_state ${String(transaction.trade_state)}` };
	if (typeof transaction.transaction_id !== 'string' || !Number.isFinite(Number((transaction.amount as IDataObject)?.total))) {
		return refuse(400, 'transaction without transaction_id or amount');
	}
	return { accept: true, item: weChatPaymentItem(transaction), dedupeKey: `weChatPay|${transaction.transaction_id}` };
}

const PAID = ['TRADE_SUCCESS', 'TRADE_FINISHED'];

/** Alipay: RSA2 over the sorted parameters, this app only, paid trades only (refund notices are not payments). */
export function readAlipayNotification(params: IDataObject, creds: AlipayVerifier): Reading {
	if (typeof params.sign !== 'string' || params.sign === '') return refuse(401, 'notification has no sign');
	if (!verifyAlipayNotification(params, creds.alipayPublicKey)) return refuse(401, 'signature rejected: sign does not verify with the Alipay public key');
	if (String(params.app_id ?? '') !== creds.appId) return refuse(400, `notification for app "${String(params.app_id)}", not the credential's App ID`);
	if (!PAID.includes(String(params.trade_status))) return { accept: true, ignored: `trade_status ${String(params.trade_status)}` };
	// A (partial) refund is notified as TRADE_SUCCESS with refund fields: it is not a new payment.
	if (params.refund_fee !== undefined || params.gmt_refund !== undefined || params.out_biz_no !== undefined) return { accept: true, ignored: 'refund notice' };
	if (typeof params.trade_no !== 'string' || !Number.isFinite(Number(params.total_amount))) return refuse(400, 'notification without trade_no or total_amount');
	return { accept: true, item: alipayPaymentItem(params), dedupeKey: `alipay|${params.trade_no}` };
}
