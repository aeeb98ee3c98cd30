import { randomBytes } from 'crypto';

import { signAlipayNotification } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import { encryptResource, signWeChatBody } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import { Scheduler, type VirtualClock } from '../clock';
import { ALIPAY_APP_ID, type KeyRing, WECHAT_APP_ID, WECHAT_MCH_ID } from './keys';
import { chinaIso, chinaTime, type Payment, type Provider, yuan } from './ledger';

/**
 * Payment notifications pushed to notify_url: WeChat's encrypted event, Alipay's signed form — and
 * pushed again while unanswered, on each provider's own schedule (virtual time, so time-scaled).
 */

/** Seconds between a payment's notifications while unanswered (WeChat Pay: ~24 h in all; Alipay: ~24.4 h). */
export const RESEND_SECONDS: Record<Provider, readonly number[]> = {
	weChatPay: [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600],
	alipay: [240, 600, 600, 3600, 7200, 21600, 54000],
};

/** Acknowledged: WeChat Pay wants any 2xx, Alipay the body `success`. */
export function acknowledged(provider: Provider, status: number | null, body: string): boolean {
	if (status === null) return false;
	return provider === 'weChatPay' ? status >= 200 && status < 300 : body.trim() === 'success';
}

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

interface Resend {
	/** Index into RESEND_SECONDS of the next re-send. */
	next: number;
	/** Virtual instant the last push was due: each re-send is planned from the one before, not from its answer. */
	lastDue: number;
}

export class Notifier {
	private readonly prepared = new Map<string, Prepared>();
	private readonly resends = new Map<string, Resend>();
	private readonly acked = new Set<string>();
	private readonly scheduler: Scheduler;
	private readonly aborter = new AbortController();

	constructor(
		private readonly keys: KeyRing,
		private readonly log: (line: string) => void,
		private readonly clock: VirtualClock,
	) {
		this.scheduler = new Scheduler(clock, (label, error) => log(`job "${label}" failed: ${(error as Error)?.stack ?? error}`));
	}

	/**
	 * Pushes the payment's notification; a repeat sends the same event (same id, same sign) again.
	 * `schedule`: when unanswered, re-send on the provider's schedule (payments do; a manual push does not).
	 */
	async push(payment: Payment, schedule = false): Promise<NotifyResult> {
		const id = `${payment.provider}|${payment.outTradeNo}`;
		const due = this.clock.now();
		const result = await this.send(payment);
		if (acknowledged(payment.provider, result.notify_status, result.notify_body)) this.acked.add(id);
		else if (schedule && !this.resends.has(id) && !this.acked.has(id)) this.plan(payment, { next: 0, lastDue: due });
		return result;
	}

	/** Runs re-sends that are due now (after the clock was pushed forward). */
	clockMoved(): void {
		this.scheduler.fireDue();
	}

	/** Re-sends still planned. */
	pendingResends(): number {
		return this.scheduler.pending();
	}

	private plan(payment: Payment, resend: Resend): void {
		const id = `${payment.provider}|${payment.outTradeNo}`;
		const schedule = RESEND_SECONDS[payment.provider];
		if (resend.next >= schedule.length) {
			this.resends.delete(id); // the schedule is over: the provider gives up
			this.log(`notify ${payment.provider} ${payment.outTradeNo}: unanswered after ${schedule.length} re-sends, giving up`);
			return;
		}
		this.resends.set(id, resend);
		const due = resend.lastDue + schedule[resend.next] * 1000;
		this.scheduler.at(due, `resend ${id}`, () => {
			if (this.acked.has(id) || this.resends.get(id) !== resend) return; // answered meanwhile (e.g. a manual push), or reset
			void this.send(payment, resend.next + 1).then((result) => {
				if (this.aborter.signal.aborted || this.resends.get(id) !== resend) return;
				if (acknowledged(payment.provider, result.notify_status, result.notify_body)) {
					this.acked.add(id);
					this.resends.delete(id);
				} else this.plan(payment, { next: resend.next + 1, lastDue: due });
			});
		});
	}

	private async send(payment: Payment, resend?: number): Promise<NotifyResult> {
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
		// Sandbox time: with a time scale the attempts show the providers' schedules.
		const at = new Date(this.clock.now()).toISOString();
		const result: NotifyResult = { transaction_id: payment.transactionId, notify_status: null, notify_body: '' };
		try {
			const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(NOTIFY_TIMEOUT_MS)]);
			const response = await fetch(payment.notifyUrl, { method: 'POST', headers, body: prepared.body, signal });
			result.notify_status = response.status;
			result.notify_body = (await response.text()).slice(0, BODY_SHOWN);
		} catch (error) {
			const cause = (error as { cause?: { code?: string } })?.cause?.code;
			result.notify_error = cause ?? (error as Error)?.name ?? 'network error';
		}
		payment.notifications.push({ at, status: result.notify_status ?? undefined, error: result.notify_error, ...(resend ? { resend } : {}) });
		this.log(`notify ${payment.provider} ${payment.outTradeNo}${resend ? ` (re-send ${resend})` : ''} → ${shownUrl(payment.notifyUrl)} ${result.notify_status ?? result.notify_error}`);
		return result;
	}

	reset(): void {
		this.scheduler.clear();
		this.prepared.clear();
		this.resends.clear();
		this.acked.clear();
	}

	/** No more re-sends; pushes in flight are aborted. */
	close(): void {
		this.scheduler.stop();
		this.resends.clear();
		this.aborter.abort();
	}
}
