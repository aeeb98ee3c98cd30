import type { IDataObject } from 'n8n-workflow';

import { parseAttach } from '../shared/payments/attach';
import { verifyAlipayNotification } from '../shared/alipay/api';
import type { AlipayVerifier } from '../shared/alipay/credentials';

/**
 * Verification of one notification, apart from the webhook plumbing: what to emit (with the key
 * that makes re-pushed copies duplicates), what to acknowledge and ignore, or why to refuse.
 */
export type Reading =
	| { accept: true; item: IDataObject; dedupeKey: string }
	| { accept: true; ignored: string }
	| { accept: false; status: 400 | 401 | 500; message: string };

const refuse = (status: 400 | 401, message: string): Reading => ({ accept: false, status, message });

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
	// The parameters as Alipay sends them, less the signature; `passback_params` as an object when it is a query string.
	const { sign: _sign, sign_type: _signType, ...fields } = params;
	const passback = parseAttach(fields.passback_params);
	const item = passback === undefined ? fields : { ...fields, passback_params: passback };
	return { accept: true, item, dedupeKey: `alipay|${params.trade_no}` };
}
