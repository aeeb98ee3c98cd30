import { asText, invalid } from '../common/input';

/** Input checks of the refund operations, before any request. */

// WeChat Pay out_trade_no / out_refund_no and Alipay out_request_no share this alphabet; DingShang trade_id fits.
const REFERENCE = /^[A-Za-z0-9_\-|*@]{1,64}$/;

export function outTradeNo(value: unknown): string {
	const text = asText(value);
	if (!REFERENCE.test(text)) throw invalid('Out Trade No', value, 'expected the payment\'s merchant order number (1–64 of A-Z a-z 0-9 _ - | * @), e.g. the DingShang order\'s trade_id');
	return text;
}

export function refundKey(value: unknown): string {
	const text = asText(value);
	if (text === '') throw invalid('Refund Key', value, 'is empty: connect the item of a failed dispense (it carries refund_key) or type a key that stands for this one refund');
	if (!REFERENCE.test(text)) throw invalid('Refund Key', value, 'expected 1–64 of A-Z a-z 0-9 _ - | * @');
	return text;
}

/** Yuan with at most 2 decimals → fen. */
export function amountFen(field: string, value: unknown): number {
	const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	const fen = Math.round(number * 100);
	if (!Number.isFinite(number) || number <= 0 || Math.abs(number * 100 - fen) > 1e-6 || fen > 10_000_000_000) {
		throw invalid(field, value, 'expected an amount in yuan above 0 with at most 2 decimals, e.g. 3.5');
	}
	return fen;
}
