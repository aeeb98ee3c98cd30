import type { VirtualClock } from '../clock';
import { WECHAT_BILL_FAULTS, type WeChatBillFault, type WeChatBills } from './weChatBill';
import type { UnpaidTrade } from './alipay';
import { WECHAT_REFUND_STATUSES, type Ledger, type Provider, type Refund, type WeChatRefundStatus } from './ledger';
import type { Notifier, NotifyResult } from './notify';
import type { PlainRefunds } from './plainRefunds';

/** Test-only control API under /__payments/ (plain JSON, loopback clients only): pay, re-notify, inspect, switch. */

export interface PayInput {
	provider: Provider;
	out_trade_no: string;
	/** Integer fen; or `amount` in yuan ("3.50"). */
	amount_fen?: number;
	amount?: string | number;
	notify_url: string;
	attach?: string;
	/** WeChat openid / Alipay buyer_id. */
	payer?: string;
	subject?: string;
}

export interface RefundView {
	provider: Provider;
	refund_key: string;
	out_trade_no: string;
	refund_id: string;
	refund_fen: number;
	status: WeChatRefundStatus;
	created_at: string;
	success_at?: string;
	/** Create calls with this key; only the first refunded. */
	attempts: number;
	reads: number;
}

export interface AdminContext {
	ledger: Ledger;
	notifier: Notifier;
	/** The plain refund API of the examples without a provider credential (POST /__payments/refunds). */
	plainRefunds: PlainRefunds;
	reset: () => void;
	/** Refund calls still to process whose answer is then lost (connection dropped): the client's outcome is unknown. */
	faults: { loseRefundAnswers: number; slowRefunds: { count: number; ms: number }; refuseRefunds: number };
	/** Virtual, time-scaled: pay times, bills and download URLs follow it. */
	clock: VirtualClock;
	/** Alipay trades opened but not paid (POST /__payments/alipay-trades), by out_trade_no: what trade.close closes. */
	unpaidAlipayTrades: Map<string, UnpaidTrade>;
	/** WeChat Pay trade bills (snapshots) and their download links. */
	weChatBills: WeChatBills;
}

/** A bad admin request (400, or `status`). */
export class PaymentInputError extends Error {
	constructor(
		message: string,
		readonly status = 400,
	) {
		super(message);
		this.name = 'PaymentInputError';
	}
}

const KEY = /^[A-Za-z0-9_\-|*@]{1,64}$/;
const DEFAULT_PAYER: Record<Provider, string> = { weChatPay: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', alipay: '2088102177846880' };

function provider(value: unknown): Provider {
	if (value === 'weChatPay' || value === 'alipay') return value;
	throw new PaymentInputError('provider must be "weChatPay" or "alipay"');
}

function fenOf(input: PayInput): number {
	if (input.amount_fen !== undefined) {
		if (!Number.isInteger(input.amount_fen) || input.amount_fen <= 0) throw new PaymentInputError('amount_fen must be a positive integer');
		return input.amount_fen;
	}
	const text = typeof input.amount === 'number' ? String(input.amount) : input.amount;
	if (typeof text !== 'string' || !/^\d{1,9}(\.\d{1,2})?$/.test(text) || Number(text) <= 0) throw new PaymentInputError('give amount_fen (integer) or amount (yuan, e.g. "3.50")');
	return Math.round(Number(text) * 100);
}

/** Records a payment and pushes its notification; the answer reports a receiver that failed instead of throwing. */
export async function pay(ctx: AdminContext, input: PayInput): Promise<NotifyResult> {
	const which = provider(input?.provider);
	if (typeof input.out_trade_no !== 'string' || !KEY.test(input.out_trade_no)) throw new PaymentInputError('out_trade_no must be 1-64 letters, digits or _-|*@');
	const totalFen = fenOf(input);
	if (typeof input.notify_url !== 'string' || !/^https?:\/\/[^\s]+$/.test(input.notify_url)) throw new PaymentInputError('notify_url must be an http(s) URL');
	if (ctx.ledger.payment(which, input.out_trade_no)) throw new PaymentInputError(`out_trade_no ${input.out_trade_no} is paid already`, 409);
	if (ctx.ledger.closedAt(which, input.out_trade_no)) throw new PaymentInputError(`out_trade_no ${input.out_trade_no} is closed: it can no longer be paid`, 409);
	const payment = ctx.ledger.pay({
		provider: which,
		outTradeNo: input.out_trade_no,
		totalFen,
		attach: typeof input.attach === 'string' ? input.attach : '',
		payer: typeof input.payer === 'string' && input.payer ? input.payer : DEFAULT_PAYER[which],
		subject: typeof input.subject === 'string' && input.subject ? input.subject : 'DingShang sandbox order',
		notifyUrl: input.notify_url,
	});
	// Unanswered, it is pushed again on the provider's schedule.
	return await ctx.notifier.push(payment, true);
}

export function refundView(refund: Refund): RefundView {
	return {
		provider: refund.provider,
		refund_key: refund.refundKey,
		out_trade_no: refund.outTradeNo,
		refund_id: refund.refundId,
		refund_fen: refund.refundFen,
		status: refund.status,
		created_at: refund.createdAt.toISOString(),
		success_at: refund.successAt?.toISOString(),
		attempts: refund.attempts,
		reads: refund.reads,
	};
}

export function stateView(ledger: Ledger, plainRefunds: PlainRefunds): Record<string, unknown> {
	return {
		weChatRefundStatus: ledger.weChatRefundStatus,
		payments: ledger.allPayments().map((p) => ({
			provider: p.provider,
			out_trade_no: p.outTradeNo,
			transaction_id: p.transactionId,
			total_fen: p.totalFen,
			refunded_fen: p.refundedFen,
			attach: p.attach,
			payer: p.payer,
			notify_url: p.notifyUrl,
			paid_at: p.paidAt.toISOString(),
			notifications: p.notifications,
		})),
		refunds: ledger.refunds().map(refundView),
		plainRefunds: plainRefunds.list(),
	};
}

/** `{status}` switches new WeChat refunds; `{status, out_refund_no}` moves one refund on. */
export function setRefundStatus(ledger: Ledger, body: { status?: unknown; out_refund_no?: unknown }): object {
	const status = body?.status as WeChatRefundStatus;
	if (!WECHAT_REFUND_STATUSES.includes(status)) throw new PaymentInputError(`status must be one of ${WECHAT_REFUND_STATUSES.join(', ')}`);
	if (body.out_refund_no === undefined) {
		ledger.weChatRefundStatus = status;
		return { status, applies_to: 'new refunds' };
	}
	const refund = ledger.refund('weChatPay', String(body.out_refund_no));
	if (!refund) throw new PaymentInputError(`no WeChat refund ${String(body.out_refund_no)}`, 404);
	ledger.setStatus(refund, status);
	return refundView(refund);
}

/** An Alipay trade the buyer opened and has not paid: trade.query answers WAIT_BUYER_PAY, trade.close closes it. */
function openAlipayTrade(ctx: AdminContext, input: Record<string, unknown>): object {
	const outTradeNo = input.out_trade_no;
	if (typeof outTradeNo !== 'string' || !KEY.test(outTradeNo)) throw new PaymentInputError('out_trade_no must be 1-64 letters, digits or _-|*@');
	if (ctx.ledger.payment('alipay', outTradeNo) || ctx.unpaidAlipayTrades.has(outTradeNo)) throw new PaymentInputError(`out_trade_no ${outTradeNo} exists already`, 409);
	const trade = { outTradeNo, tradeNo: `${Date.now()}${String(ctx.unpaidAlipayTrades.size).padStart(6, '0')}`, totalFen: fenOf(input as unknown as PayInput) };
	ctx.unpaidAlipayTrades.set(outTradeNo, trade);
	return { out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo, total_fen: trade.totalFen, trade_status: 'WAIT_BUYER_PAY' };
}

const clockView = (clock: VirtualClock) => ({ now: new Date(clock.now()).toISOString(), time_scale: clock.scale });

export async function handleAdmin(ctx: AdminContext, method: string, path: string, body: string): Promise<{ status: number; json: unknown }> {
	let input: Record<string, unknown> = {};
	try {
		if (body.trim() !== '') input = JSON.parse(body) as Record<string, unknown>;
	} catch {
		return { status: 400, json: { error: 'body must be JSON' } };
	}
	try {
		const route = `${method} ${path}`;
		if (route === 'POST /__payments/pay') return { status: 200, json: await pay(ctx, input as unknown as PayInput) };
		if (route === 'POST /__payments/notify-again') {
			const payment = ctx.ledger.payment(provider(input.provider), String(input.out_trade_no ?? ''));
			if (!payment) throw new PaymentInputError('no such payment', 404);
			return { status: 200, json: await ctx.notifier.push(payment) };
		}
		if (route === 'GET /__payments/state') return { status: 200, json: { ...stateView(ctx.ledger, ctx.plainRefunds), faults: ctx.faults } };
		if (route === 'POST /__payments/refunds') return ctx.plainRefunds.refund(input, new Date().toISOString());
		if (route === 'POST /__payments/refund-status') return { status: 200, json: setRefundStatus(ctx.ledger, input) };
		if (route === 'POST /__payments/lose-refund-answers') {
			const count = Number(input.count ?? 1);
			if (!Number.isInteger(count) || count < 0 || count > 100) throw new PaymentInputError('count must be a whole number 0–100');
			ctx.faults.loseRefundAnswers = count;
			return { status: 200, json: { loseRefundAnswers: count } };
		}
		if (route === 'POST /__payments/refuse-refunds') {
			const count = Number(input.count ?? 1);
			if (!Number.isInteger(count) || count < 0 || count > 100) throw new PaymentInputError('count must be a whole number 0–100');
			ctx.faults.refuseRefunds = count;
			return { status: 200, json: { refuseRefunds: count } };
		}
		if (route === 'POST /__payments/slow-refunds') {
			const count = Number(input.count ?? 1);
			const ms = Number(input.ms ?? 5000);
			if (!Number.isInteger(count) || count < 0 || count > 100) throw new PaymentInputError('count must be a whole number 0–100');
			if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) throw new PaymentInputError('ms must be a whole number 0–600000');
			ctx.faults.slowRefunds = { count, ms };
			return { status: 200, json: { slowRefunds: ctx.faults.slowRefunds } };
		}
		if (route === 'POST /__payments/alipay-trades') return { status: 200, json: openAlipayTrade(ctx, input) };
		if (route === 'GET /__payments/clock') return { status: 200, json: clockView(ctx.clock) };
		if (route === 'POST /__payments/clock') {
			const seconds = Number(input.advance_seconds);
			if (!Number.isFinite(seconds) || seconds < 0 || seconds > 400 * 86400) throw new PaymentInputError('advance_seconds must be a number 0–34560000');
			ctx.clock.advance(seconds);
			ctx.notifier.clockMoved(); // re-sends now due go out
			return { status: 200, json: clockView(ctx.clock) };
		}
		if (route === 'POST /__payments/wechat-bill-fault') {
			if (!WECHAT_BILL_FAULTS.includes(input.fault as WeChatBillFault)) throw new PaymentInputError(`fault must be one of ${WECHAT_BILL_FAULTS.join(', ')}`);
			ctx.weChatBills.fault = input.fault as WeChatBillFault;
			return { status: 200, json: { next_download: ctx.weChatBills.fault } };
		}
		if (route === 'POST /__payments/reset') {
			ctx.reset();
			return { status: 200, json: { reset: true } };
		}
		return { status: 404, json: { error: `no admin route ${route}` } };
	} catch (error) {
		if (error instanceof PaymentInputError) return { status: error.status, json: { error: error.message } };
		throw error;
	}
}
