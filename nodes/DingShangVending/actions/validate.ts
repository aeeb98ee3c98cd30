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

/** Yuan, up to 2 decimals; undefined when empty. `min` 0 allows zero (a refunded amount). */
export function optionalYuan(field: string, value: unknown, min = 0.01): number | undefined {
	const text = asText(value);
	if (text === '') return undefined;
	const n = /^\d{1,9}(\.\d{1,2})?$/.test(text) ? Number(text) : NaN;
	if (!(n >= min)) throw invalid(field, value, `expected yuan${min > 0 ? ' above 0' : ''}, e.g. 3.50`);
	return n;
}

const MAX_SKEW_MS = 5 * 60_000;

/**
 * A payment time as ISO 8601: an ISO date-time with its zone, or China time "YYYY-MM-DD HH:mm:ss"
 * as the providers' bills write it (n8n's date objects are read too). Not in the future.
 */
export function paidAt(value: unknown, now: number): string {
	const raw = value instanceof Date ? value.toISOString() : typeof (value as { toISO?: unknown })?.toISO === 'function' ? String((value as { toISO: () => string }).toISO()) : asText(value);
	const china = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)$/.exec(raw);
	const iso = china ? `${china[1]}T${china[2]}+08:00` : raw;
	const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? Date.parse(iso) : NaN;
	const rule = 'expected the payment time, e.g. 2026-12-03T17:59:58+08:00 or China time 2026-12-03 17:59:58';
	if (!Number.isFinite(at)) throw invalid('Paid At', value, rule);
	if (at > now + MAX_SKEW_MS) throw invalid('Paid At', value, 'the payment time is in the future');
	return new Date(at).toISOString();
}

export function minutesIn(field: string, value: unknown, min: number, max: number): number {
	const n = typeof value === 'number' ? value : Number(asText(value) || NaN);
	if (!Number.isFinite(n) || n < min || n > max) throw invalid(field, value, `expected minutes from ${min} to ${max}`);
	return n;
}
