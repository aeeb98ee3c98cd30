import { randomBytes } from 'crypto';

import { signAlipayNotification } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import { encryptResource, signWeChatBody } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import { ALIPAY_APP_ID, type KeyRing, WECHAT_APP_ID, WECHAT_MCH_ID } from './keys';
import { chinaIso, chinaTime, type Payment, yuan } from './ledger';

/** Payment notifications pushed to notify_url: WeChat's encrypted event, Alipay's signed form. */

export interface NotifyResult {
	transaction_id: string;
	/** The receiver's HTTP status, or null when it could not be reached. */
	notify_status: number | null;
	notify_body: string;
	notify_error?: string;
}

interface Prepared {
	contentType: string;
	body: string;
	/** WeChat headers are signed per push (a retry carries a fresh timestamp); Alipay's sign is in the body. */
	weChat: boolean;
}

const NOTIFY_TIMEOUT_MS = 10_000;
const BODY_SHOWN = 2000;

function weChatBody(keys: KeyRing, payment: Payment): string {
	const transaction = {
		appid: WECHAT_APP_ID,
		mchid: WECHAT_MCH_ID,
		out_trade_no: payment.outTradeNo,
		transaction_id: payment.transactionId,
		trade_type: 'NATIVE',
		trade_state: 'SUCCESS',
		trade_state_desc: '支付成功',
		bank_type: 'OTHERS',
		attach: payment.attach,
		success_time: chinaIso(payment.paidAt),
		payer: { openid: payment.payer },
		amount: { total: payment.totalFen, payer_total: payment.totalFen, currency: 'CNY', payer_currency: 'CNY' },
	};
	return JSON.stringify({
		id: `EV-${chinaIso(payment.paidAt).slice(0, 19).replace(/\D/g, '')}${randomBytes(4).readUInt32BE(0) % 10_000_000}`,
		create_time: chinaIso(new Date()),
		resource_type: 'encrypt-resource',
		event_type: 'TRANSACTION.SUCCESS',
		summary: '支付成功',
		resource: encryptResource(keys.pems.apiV3Key, JSON.stringify(transaction), 'transaction', 'transaction'),
	});
}

function alipayBody(keys: KeyRing, payment: Payment): string {
	const amount = yuan(payment.totalFen);
	const params: Record<string, string> = {
		notify_time: chinaTime(new Date()),
		notify_type: 'trade_status_sync',
		notify_id: randomBytes(16).toString('hex'),
		app_id: ALIPAY_APP_ID,
		charset: 'utf-8',
		version: '1.0',
		trade_no: payment.transactionId,
		out_trade_no: payment.outTradeNo,
		trade_status: 'TRADE_SUCCESS',
		total_amount: amount,
		receipt_amount: amount,
		buyer_id: payment.payer,
		buyer_logon_id: 'buy***@sandbox.com',
		gmt_create: chinaTime(payment.paidAt),
		gmt_payment: chinaTime(payment.paidAt),
		subject: payment.subject,
	};
	if (payment.attach) params.passback_params = payment.attach;
	return new URLSearchParams(signAlipayNotification(params, keys.alipayPrivate)).toString();
}

/** Where a notification went, without the query (it may carry a token). */
const shownUrl = (url: string): string => url.split('?')[0];

export class Notifier {
	private readonly prepared = new Map<string, Prepared>();

	constructor(
		private readonly keys: KeyRing,
		private readonly log: (line: string) => void,
	) {}

	/** Pushes the payment's notification; a repeat sends the same event (same id, same sign) again. */
	async push(payment: Payment): Promise<NotifyResult> {
		const id = `${payment.provider}|${payment.outTradeNo}`;
		let prepared = this.prepared.get(id);
		if (!prepared) {
			prepared =
				payment.provider === 'weChatPay'
					? { contentType: 'application/json', body: weChatBody(this.keys, payment), weChat: true }
					: { contentType: 'application/x-www-form-urlencoded; charset=utf-8', body: alipayBody(this.keys, payment), weChat: false };
			this.prepared.set(id, prepared);
		}
		const headers: Record<string, string> = { 'Content-Type': prepared.contentType, 'User-Agent': 'dingshang-payment-sandbox' };
		if (prepared.weChat) Object.assign(headers, signWeChatBody(this.keys.platformPrivate, this.keys.pems.publicKeyId, prepared.body), { 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' });
		const at = new Date().toISOString();
		const result: NotifyResult = { transaction_id: payment.transactionId, notify_status: null, notify_body: '' };
		try {
			const response = await fetch(payment.notifyUrl, { method: 'POST', headers, body: prepared.body, signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS) });
			result.notify_status = response.status;
			result.notify_body = (await response.text()).slice(0, BODY_SHOWN);
		} catch (error) {
			const cause = (error as { cause?: { code?: string } })?.cause?.code;
			result.notify_error = cause ?? (error as Error)?.name ?? 'network error';
		}
		payment.notifications.push({ at, status: result.notify_status ?? undefined, error: result.notify_error });
		this.log(`notify ${payment.provider} ${payment.outTradeNo} → ${shownUrl(payment.notifyUrl)} ${result.notify_status ?? result.notify_error}`);
		return result;
	}

	reset(): void {
		this.prepared.clear();
	}
}
