import { parseAttach } from '../../shared/attach';
import { amountFen, outTradeNo, refundKey } from '../../shared/refundFields';
import { outcomeOf, refundItem } from '../../shared/refundOutput';
import type { RefundState } from '../../shared/refunds';

/** Unit tests of packages/shared (code of both payment packages): attach.ts, refundFields.ts, refundOutput.ts. */

describe('parseAttach (WeChat Pay attach / Alipay passback_params)', () => {
	it('a query string becomes an object of its fields (strings, as sent)', () => {
		expect(parseAttach('machine_no=10000001&order_id=12')).toEqual({ machine_no: '10000001', order_id: '12' });
		expect(parseAttach('order_id=12')).toEqual({ order_id: '12' });
		expect(parseAttach('a=&b=2')).toEqual({ a: '', b: '2' });
		expect(parseAttach('a=1=2&b=x')).toEqual({ a: '1=2', b: 'x' });
	});

	it('percent-encoded values are decoded; surrounding whitespace is ignored', () => {
		expect(parseAttach('machine_no=10000001&note=%E5%87%BA%E8%B4%A7%20A')).toEqual({ machine_no: '10000001', note: '出货 A' });
		expect(parseAttach('  machine_no=1&order_id=2\n')).toEqual({ machine_no: '1', order_id: '2' });
	});

	it('a query string sent URL-encoded as a whole (Alipay asks passback_params so) is decoded once, then parsed', () => {
		expect(parseAttach(encodeURIComponent('machine_no=10000001&order_id=12'))).toEqual({ machine_no: '10000001', order_id: '12' });
		expect(parseAttach('machine_no%3D10000001%26order_id%3D12')).toEqual({ machine_no: '10000001', order_id: '12' });
		expect(parseAttach('50%3D half')).toBe('50%3D half'); // decoded, still not a query string: the original text
		expect(parseAttach('%E0%3D')).toBe('%E0%3D'); // not decodable: as it is
	});

	it('any other text is returned as it is (the very same string)', () => {
		const texts = [
			'',
			'   ',
			'鼎商售货机 A 货道 1',
			'{"machine_no":"10000002","order_id":98765}',
			'[1,2]',
			'machine_no=1 order_id=2', // a space between pairs
			'=1', // no name
			'a=1&', // a dangling &
			'&a=1',
			'a=1&&b=2',
			'a b=1',
			'note=two words',
		];
		for (const text of texts) expect(parseAttach(text)).toBe(text);
	});

	it('what is not a string gives undefined (nothing to replace)', () => {
		for (const value of [undefined, null, 12, true, { a: 1 }, ['a=1']]) expect(parseAttach(value)).toBeUndefined();
	});

	it('a "__proto__" field is an own field, not the object\'s prototype', () => {
		const parsed = parseAttach('__proto__=x&polluted=yes') as Record<string, unknown>;
		expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
		expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(true);
		expect(parsed.polluted).toBe('yes');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});

describe('refundFields: input checks before any request', () => {
	it('amountFen: yuan with at most 2 decimals → fen, without float drift', () => {
		expect(amountFen('Refund Amount (Yuan)', 3.5)).toBe(350);
		expect(amountFen('Refund Amount (Yuan)', '3.50')).toBe(350);
		expect(amountFen('Refund Amount (Yuan)', 0.01)).toBe(1);
		expect(amountFen('Refund Amount (Yuan)', 0.1 + 0.2)).toBe(30);
		expect(amountFen('Refund Amount (Yuan)', 19.99)).toBe(1999);
		expect(amountFen('Refund Amount (Yuan)', 100_000_000)).toBe(10_000_000_000);
	});

	it('amountFen: 0, negative, 3 decimals, not a number, empty or too large → an error naming the field and the value', () => {
		for (const value of [0, -1, 1.005, 1.234, 'abc', '', '  ', undefined, null, NaN, Infinity, 100_000_000.01]) {
			expect(() => amountFen('Total Amount (Yuan)', value)).toThrow(/^Invalid "Total Amount \(Yuan\)": expected an amount in yuan above 0 with at most 2 decimals/);
		}
		expect(() => amountFen('Refund Amount (Yuan)', 1.234)).toThrow(/got 1\.234$/);
	});

	it('outTradeNo and refundKey: 1–64 of A-Z a-z 0-9 _ - | * @, trimmed', () => {
		expect(outTradeNo('  T2024_06-11|a*b@c ')).toBe('T2024_06-11|a*b@c');
		expect(outTradeNo(20240611)).toBe('20240611');
		expect(outTradeNo('x'.repeat(64))).toBe('x'.repeat(64));
		expect(() => outTradeNo('x'.repeat(65))).toThrow(/^Invalid "Out Trade No"/);
		expect(() => outTradeNo('订单1')).toThrow(/^Invalid "Out Trade No"/);
		expect(() => outTradeNo('')).toThrow(/^Invalid "Out Trade No"/);
		expect(refundKey('dsr-1000-1')).toBe('dsr-1000-1');
		expect(() => refundKey('')).toThrow(/^Invalid "Refund Key": is empty/);
		expect(() => refundKey(undefined)).toThrow(/^Invalid "Refund Key": is empty/);
		expect(() => refundKey('a b')).toThrow(/^Invalid "Refund Key": expected 1–64/);
	});
});

describe('refundOutput: one output item per refund', () => {
	const NAME = { en: 'WeChat Pay', zh: '微信支付' };
	const success: RefundState = { status: 'SUCCESS', providerStatus: 'SUCCESS', refundId: '50300', outTradeNo: 'T1', refundFen: 125, totalFen: 350, refundedAt: '2024-06-11T10:05:00+08:00' };

	it('outcomeOf: not_found, refunded / already_refunded, processing, failed', () => {
		expect(outcomeOf(undefined, false)).toBe('not_found');
		expect(outcomeOf(success, false)).toBe('refunded');
		expect(outcomeOf(success, true)).toBe('already_refunded');
		expect(outcomeOf({ ...success, status: 'PROCESSING' }, true)).toBe('processing');
		expect(outcomeOf({ ...success, status: 'CLOSED' }, false)).toBe('failed');
		expect(outcomeOf({ ...success, status: 'ABNORMAL' }, true)).toBe('failed');
	});

	it('a refund made: the provider\'s facts in yuan, no provider field', () => {
		expect(refundItem(NAME, 'T1', 'k1', success, false)).toEqual({
			outcome: 'refunded',
			out_trade_no: 'T1',
			refund_key: 'k1',
			refund_id: '50300',
			refund_amount: 1.25,
			total_amount: 3.5,
			provider_status: 'SUCCESS',
			refunded_at: '2024-06-11T10:05:00+08:00',
			reason: 'WeChat Pay refunded 1.25 yuan to the payer.',
			reasonZh: '微信支付已退款 1.25 元。',
		});
	});

	it('unknown facts are null; total_amount only when known; already_refunded says when', () => {
		const item = refundItem(NAME, 'T1', 'k1', { status: 'SUCCESS', providerStatus: 'fund_change=N', refundedAt: '2024-06-11T10:05:00+08:00' }, true);
		expect(item).toMatchObject({ outcome: 'already_refunded', refund_id: null, refund_amount: null, provider_status: 'fund_change=N' });
		expect(item).not.toHaveProperty('total_amount');
		expect(item.reason).toContain('(2024-06-11T10:05:00+08:00)');
	});

	it('not_found: only the keys asked for and why', () => {
		expect(refundItem({ en: 'Alipay', zh: '支付宝' }, 'A1', 'k2', undefined, false)).toEqual({
			outcome: 'not_found',
			out_trade_no: 'A1',
			refund_key: 'k2',
			reason: 'Alipay has no refund with this Refund Key.',
			reasonZh: '支付宝没有该退款单号的退款。',
		});
	});

	it('failed names the provider status in both languages', () => {
		const item = refundItem(NAME, 'T1', 'k1', { ...success, status: 'ABNORMAL', providerStatus: 'ABNORMAL' }, false);
		expect(item.outcome).toBe('failed');
		expect(item.reason).toMatch(/could not refund \(status ABNORMAL\)/);
		expect(item.reasonZh).toContain('ABNORMAL');
	});
});
