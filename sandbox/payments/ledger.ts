/** Payments and refunds of both providers; the refund rules (balance, idempotent keys) live here. */

export type Provider = 'weChatPay' | 'alipay';
export type WeChatRefundStatus = 'SUCCESS' | 'PROCESSING' | 'ABNORMAL' | 'CLOSED';
export const WECHAT_REFUND_STATUSES: readonly WeChatRefundStatus[] = ['SUCCESS', 'PROCESSING', 'ABNORMAL', 'CLOSED'];

/** China time (UTC+8) as ISO text without zone. */
const china = (at: Date): string => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
/** WeChat Pay style: 2026-11-30T18:00:00+08:00. */
export const chinaIso = (at: Date): string => `${china(at)}+08:00`;
/** Alipay style: 2026-11-30 18:00:00. */
export const chinaTime = (at: Date): string => china(at).replace('T', ' ');
const ymd = (at: Date): string => china(at).slice(0, 10).replace(/-/g, '');
export const yuan = (fen: number): string => (fen / 100).toFixed(2);

export interface NotifyAttempt {
	at: string;
	status?: number;
	error?: string;
	/** Which scheduled re-send this was (1…); absent for the first push and manual ones. */
	resend?: number;
}

export interface Payment {
	provider: Provider;
	outTradeNo: string;
	/** WeChat transaction_id / Alipay trade_no. */
	transactionId: string;
	totalFen: number;
	refundedFen: number;
	attach: string;
	/** WeChat openid / Alipay buyer_id. */
	payer: string;
	subject: string;
	notifyUrl: string;
	paidAt: Date;
	notifications: NotifyAttempt[];
}

export interface Refund {
	provider: Provider;
	refundKey: string;
	outTradeNo: string;
	transactionId: string;
	/** WeChat refund_id; Alipay has none of its own (its answers carry the trade_no). */
	refundId: string;
	refundFen: number;
	reason?: string;
	status: WeChatRefundStatus;
	createdAt: Date;
	successAt?: Date;
	/** Create calls with this key (the first refunded, repeats did not). */
	attempts: number;
	/** Reads (WeChat GET, Alipay refund query) of this key. */
	reads: number;
}

export interface RefundRequest {
	outTradeNo?: string;
	tradeNo?: string;
	refundKey: string;
	refundFen: number;
	/** WeChat only: must equal the payment's total. */
	totalFen?: number;
	reason?: string;
}

export type RefundOutcome =
	| { ok: true; refund: Refund; payment: Payment; repeat: boolean }
	| { ok: false; reason: 'no-payment' | 'total-mismatch' | 'over' | 'discordant' | 'other-payment' };

export class Ledger {
	private readonly payments = new Map<string, Payment>();
	private readonly refundsByKey = new Map<string, Refund>();
	/** Orders closed unpaid (WeChat close / Alipay trade.close): they can no longer be paid. */
	private readonly closedOrders = new Map<string, Date>();
	/** Seeded from the clock so ids differ between runs (receivers may dedupe on them). */
	private seq = Date.now() % 1e10;
	/** Status of new WeChat refunds (admin switch), like a provider that is slow or fails. */
	weChatRefundStatus: WeChatRefundStatus = 'SUCCESS';

	/** `now`: the payments sandbox's clock (virtual, time-scaled), so bills and pay times agree. */
	constructor(private readonly now: () => Date = () => new Date()) {}

	private next(): string {
		return String(this.seq++ % 1e10).padStart(10, '0');
	}

	payment(provider: Provider, outTradeNo?: string, tradeNo?: string): Payment | undefined {
		if (outTradeNo) return this.payments.get(`${provider}|${outTradeNo}`);
		return tradeNo ? [...this.payments.values()].find((p) => p.provider === provider && p.transactionId === tradeNo) : undefined;
	}

	pay(input: Omit<Payment, 'transactionId' | 'refundedFen' | 'paidAt' | 'notifications'>): Payment {
		const paidAt = this.now();
		const transactionId = input.provider === 'weChatPay' ? `4200001234${ymd(paidAt)}${this.next()}` : `${ymd(paidAt)}2200140${this.next().padStart(13, '0')}`;
		const payment: Payment = { ...input, transactionId, refundedFen: 0, paidAt, notifications: [] };
		this.payments.set(`${input.provider}|${input.outTradeNo}`, payment);
		return payment;
	}

	/** WeChat refund keys are unique per merchant; Alipay's per payment. */
	private refundId(provider: Provider, refundKey: string, outTradeNo: string): string {
		return provider === 'weChatPay' ? `weChatPay|${refundKey}` : `alipay|${outTradeNo}|${refundKey}`;
	}

	refund(provider: Provider, refundKey: string, outTradeNo = ''): Refund | undefined {
		return this.refundsByKey.get(this.refundId(provider, refundKey, outTradeNo));
	}

	requestRefund(provider: Provider, request: RefundRequest): RefundOutcome {
		const payment = this.payment(provider, request.outTradeNo, request.tradeNo);
		const existing = this.refund(provider, request.refundKey, payment?.outTradeNo ?? request.outTradeNo);
		if (existing) {
			existing.attempts++;
			if (request.outTradeNo && existing.outTradeNo !== request.outTradeNo) return { ok: false, reason: 'other-payment' };
			// A repeat refunds nothing; Alipay refuses one whose amount differs, WeChat answers the first refund.
			if (provider === 'alipay' && existing.refundFen !== request.refundFen) return { ok: false, reason: 'discordant' };
			return { ok: true, refund: existing, payment: this.payment(provider, existing.outTradeNo) as Payment, repeat: true };
		}
		if (!payment) return { ok: false, reason: 'no-payment' };
		if (request.totalFen !== undefined && request.totalFen !== payment.totalFen) return { ok: false, reason: 'total-mismatch' };
		if (payment.refundedFen + request.refundFen > payment.totalFen) return { ok: false, reason: 'over' };
		const now = this.now();
		const status = provider === 'weChatPay' ? this.weChatRefundStatus : 'SUCCESS';
		const refund: Refund = {
			provider,
			refundKey: request.refundKey,
			outTradeNo: payment.outTradeNo,
			transactionId: payment.transactionId,
			refundId: provider === 'weChatPay' ? `50300${ymd(now)}${this.next().padStart(16, '0')}` : payment.transactionId,
			refundFen: request.refundFen,
			reason: request.reason,
			status,
			createdAt: now,
			successAt: status === 'SUCCESS' ? now : undefined,
			attempts: 1,
			reads: 0,
		};
		payment.refundedFen += request.refundFen;
		this.refundsByKey.set(this.refundId(provider, refund.refundKey, refund.outTradeNo), refund);
		return { ok: true, refund, payment, repeat: false };
	}

	/** Moves a refund on (e.g. PROCESSING → SUCCESS), as the provider would later. */
	setStatus(refund: Refund, status: WeChatRefundStatus): void {
		refund.status = status;
		refund.successAt = status === 'SUCCESS' ? (refund.successAt ?? this.now()) : undefined;
	}

	/** Closes an order that is not paid; 'paid' when it is (a paid order cannot be closed). */
	closeOrder(provider: Provider, outTradeNo: string): 'closed' | 'paid' {
		if (this.payment(provider, outTradeNo)) return 'paid';
		if (!this.closedOrders.has(`${provider}|${outTradeNo}`)) this.closedOrders.set(`${provider}|${outTradeNo}`, this.now());
		return 'closed';
	}

	closedAt(provider: Provider, outTradeNo: string): Date | undefined {
		return this.closedOrders.get(`${provider}|${outTradeNo}`);
	}

	refunds(): Refund[] {
		return [...this.refundsByKey.values()];
	}

	allPayments(): Payment[] {
		return [...this.payments.values()];
	}

	reset(): void {
		this.payments.clear();
		this.refundsByKey.clear();
		this.closedOrders.clear();
		this.weChatRefundStatus = 'SUCCESS';
	}
}
