import { MACHINE_NO_PATTERN, TRADE_ID_PATTERN } from '../../shared/dingshang/protocol';
import { asText, invalid } from '../../shared/common/input';

/**
 * Input checks run before any request. Each error names the field (as the merchant sees it in
 * the editor) and the bad value, so a wrong expression is easy to spot.
 */

export function machineNo(value: unknown): string {
	const text = asText(value);
	if (!MACHINE_NO_PATTERN.test(text)) throw invalid('Machine No', value, 'expected the machine number: 8 or more digits, digits only');
	return text;
}

/** Positive integer id (order, record, product); returned as its decimal string. */
export function positiveId(field: string, value: unknown): string {
	const text = asText(value);
	if (!/^\d+$/.test(text) || /^0+$/.test(text) || text.length > 19) {
		throw invalid(field, value, 'expected a positive whole number');
	}
	return text.replace(/^0+/, '');
}

export function integerInRange(field: string, value: unknown, min: number, max: number): number {
	const text = asText(value);
	const n = /^\d+$/.test(text) ? Number(text) : NaN;
	if (!Number.isInteger(n) || n < min || n > max) throw invalid(field, value, `expected a whole number from ${min} to ${max}`);
	return n;
}

export function optionalUrl(field: string, value: unknown): string | undefined {
	const text = asText(value);
	if (text === '') return undefined;
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || !/^https?:$/.test(url.protocol)) throw invalid(field, value, 'expected an http(s) URL');
	return text;
}

export function tradeId(value: unknown): string | undefined {
	const text = asText(value);
	if (text === '') return undefined;
	if (!TRADE_ID_PATTERN.test(text)) {
		throw invalid('Trade ID', value, 'expected 1 to 32 visible ASCII characters (letters, digits, - _ …; no spaces or Chinese characters)');
	}
	return text;
}

export function seconds(field: string, value: unknown, max: number): number {
	const n = typeof value === 'number' ? value : Number(asText(value));
	if (!Number.isFinite(n) || n < 0 || n > max) throw invalid(field, value, `expected seconds from 0 to ${max}`);
	return n;
}
