/**
 * "Your provider's refund API", stood in by one plain JSON route (POST /__payments/refunds) for the
 * example workflows that have no WeChat Pay / Alipay credential (1, 2 and 9's Refund Due). Like
 * WeChat Pay's `out_refund_no` or Alipay's `out_request_no`, a refund key already used refunds
 * nothing again; every call is counted, so a test sees how many refund paths reached the provider
 * and how many refunds really happened. Unsigned, so the examples call it with a plain HTTP node.
 */
export interface PlainRefund {
	refund_key: string;
	order_id?: unknown;
	record_id?: unknown;
	/** Calls made with this key; the first one refunded, the others were refused as repeats. */
	attempts: number;
	refunded_at: string;
}

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

export class PlainRefunds {
	private readonly byKey = new Map<string, PlainRefund>();

	/** `{refund_key, order_id?, record_id?}` → `{refunded, duplicate, refund_key, refunded_at}`, or 400 for a bad key. */
	refund(input: unknown, now: string): { status: number; json: unknown } {
		const { refund_key, order_id, record_id } = (input ?? {}) as Record<string, unknown>;
		if (typeof refund_key !== 'string' || !KEY.test(refund_key)) {
			return { status: 400, json: { error: 'refund_key must be 1–64 characters of A-Z a-z 0-9 _ -' } };
		}
		const known = this.byKey.get(refund_key);
		if (known) {
			known.attempts++;
			return { status: 200, json: { refunded: false, duplicate: true, refund_key, refunded_at: known.refunded_at } };
		}
		this.byKey.set(refund_key, { refund_key, order_id, record_id, attempts: 1, refunded_at: now });
		return { status: 200, json: { refunded: true, duplicate: false, refund_key, refunded_at: now } };
	}

	list(): PlainRefund[] {
		return [...this.byKey.values()].map((r) => ({ ...r }));
	}

	reset(): void {
		this.byKey.clear();
	}
}
