import { sleep } from 'n8n-workflow';

import { providerRefusal, unknownOutcome, type ProviderWords } from './errors';
import type { Ctx } from './http';

/**
 * Refunds, read first, for any provider with an adapter (each package has one). The Refund Key
 * (out_refund_no / out_request_no) makes the provider pay one refund once whatever is sent; still,
 * a refund whose answer was lost is read back before it is sent again, and every refund is read
 * first so a repeat says so.
 */

export interface RefundOrder {
	outTradeNo: string;
	refundKey: string;
	refundFen: number;
	/** WeChat Pay needs the payment's total; Alipay does not. */
	totalFen?: number;
	reason?: string;
}

/** A refund as the provider knows it, in one vocabulary. */
export interface RefundState {
	status: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
	/** The provider's own status word (WeChat `status`, Alipay `refund_status` / `fund_change`). */
	providerStatus: string;
	refundId?: string;
	/** The payment the refund belongs to, when the answer says. */
	outTradeNo?: string;
	refundFen?: number;
	totalFen?: number;
	/** When the money went back (ISO 8601), if it did. */
	refundedAt?: string;
	/** Alipay only: whether this very call moved money (`fund_change`). */
	fundChange?: boolean;
}

/** One call's result: a trusted answer, a definite refusal (nothing moved), or an unknown outcome. */
export type Reply<T> = { kind: 'answer'; value: T } | { kind: 'refused'; code: string; message: string; status?: number } | { kind: 'unknown'; why: string; sent: boolean };

/** What a provider package supplies: its words, and its two signed calls. */
export interface RefundAdapter extends ProviderWords {
	/** The refund with this key, or undefined when the provider has none. */
	read(ctx: Ctx, outTradeNo: string, refundKey: string): Promise<Reply<RefundState | undefined>>;
	/** Sends the refund; `existed` when the provider says nothing moved this time (a repeat). */
	send(ctx: Ctx, order: RefundOrder): Promise<Reply<{ state: RefundState; existed: boolean }>>;
}

/** Reads a refund by its key: the state, or undefined when the provider has none with this key. */
export async function readRefund(
	ctx: Ctx,
	adapter: RefundAdapter,
	outTradeNo: string,
	refundKey: string,
	itemIndex?: number,
	refundSent = false,
	attempts = 3,
): Promise<RefundState | undefined> {
	for (let attempt = 1; ; attempt++) {
		const reply = await adapter.read(ctx, outTradeNo, refundKey);
		if (reply.kind === 'answer') return reply.value;
		if (reply.kind === 'refused') throw providerRefusal(ctx.getNode(), adapter, reply.code, reply.message, itemIndex, reply.status);
		if (attempt >= attempts) throw unknownOutcome(ctx.getNode(), adapter, `could not read the refund: ${reply.why}`, refundSent, itemIndex);
		await sleep(300 * 2 ** (attempt - 1));
	}
}

/**
 * Creates a refund unless its key already has one. `existed` tells a repeat (already refunded or
 * already requested) from a refund made by this call.
 */
export async function createRefund(ctx: Ctx, adapter: RefundAdapter, order: RefundOrder, itemIndex?: number): Promise<{ state: RefundState; existed: boolean }> {
	const before = await readRefund(ctx, adapter, order.outTradeNo, order.refundKey, itemIndex);
	if (before) return { state: before, existed: true };
	let sentOnce = false;
	for (let send = 1; ; send++) {
		const reply = await adapter.send(ctx, order);
		sentOnce ||= reply.kind !== 'unknown' || reply.sent;
		if (reply.kind === 'refused') throw providerRefusal(ctx.getNode(), adapter, reply.code, reply.message, itemIndex, reply.status);
		if (reply.kind === 'answer') return reply.value;
		// Outcome unknown: read before anything is sent again.
		if (reply.sent) {
			const after = await readRefund(ctx, adapter, order.outTradeNo, order.refundKey, itemIndex, true);
			if (after) return { state: after, existed: false };
		}
		// Not there: sending again with the same key cannot pay twice. Once.
		if (send >= 2) throw unknownOutcome(ctx.getNode(), adapter, `the refund request got no usable answer twice (${reply.why})`, sentOnce, itemIndex);
	}
}
