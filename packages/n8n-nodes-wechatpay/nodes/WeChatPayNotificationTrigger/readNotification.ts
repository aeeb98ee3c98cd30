import type { IDataObject } from 'n8n-workflow';

import { parseAttach } from '../shared/payments/attach';
import { decryptResource, weChatHeaders, weChatSignatureProblem, type WeChatResource } from '../shared/wechatpay/api';
import type { WeChatPayVerifier } from '../shared/wechatpay/credentials';

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
	// The transaction as WeChat Pay sends it; `attach` as an object when it is a query string.
	const attach = parseAttach(transaction.attach);
	const item = attach === undefined ? transaction : { ...transaction, attach };
	return { accept: true, item, dedupeKey: `weChatPay|${transaction.transaction_id}` };
}
