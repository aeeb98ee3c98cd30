import { createHash, timingSafeEqual } from 'crypto';

/**
 * DingShang payload signing (docs page "参数加密"). The one module that signs and verifies:
 * the nodes, the trigger, the sandbox and users' Code nodes all call these functions.
 */

export type SignableParams = Record<string, unknown>;

export interface EncodeOptions {
	/** Unix seconds used when `params.timestamp` is absent; defaults to now. */
	timestamp?: string | number;
}

/** Values the platform treats as "not given": they are left out of the signature. */
export function isEmptyValue(value: unknown): boolean {
	return value === null || value === undefined || value === '' || value === 'NULL';
}

/**
 * Form-encodes like Go's `url.QueryEscape` (the vendor's Go SDK): unreserved
 * `A-Za-z0-9-_.~` kept, space → `+`, everything else `%XX` upper-case over UTF-8.
 */
export function formEncode(text: string): string {
	return encodeURIComponent(text)
		.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
		.replace(/%20/g, '+');
}

function scalarToString(value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
		return String(value);
	}
	return JSON.stringify(value);
}

/** Flattens nested objects/arrays to `key[sub]` / `key[0]` leaves, as the Go SDK does. */
function flatten(prefix: string, value: unknown, out: Array<[string, string]>): void {
	if (isEmptyValue(value)) return;
	if (Array.isArray(value)) {
		value.forEach((item, index) => flatten(`${prefix}[${index}]`, item, out));
		return;
	}
	if (typeof value === 'object') {
		for (const [sub, item] of Object.entries(value as object)) flatten(`${prefix}[${sub}]`, item, out);
		return;
	}
	out.push([prefix, scalarToString(value)]);
}

/** Byte (UTF-8) order, case-sensitive — what Go's `sort.Strings` gives. */
function compareBytes(a: string, b: string): number {
	return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The string that is hashed, without the trailing `&key=…` (exported for tests and debugging). */
export function canonicalString(params: SignableParams): string {
	const pairs: Array<[string, string]> = [];
	for (const [key, value] of Object.entries(params)) {
		if (key === 'sign') continue;
		flatten(key, value, pairs);
	}
	pairs.sort((a, b) => compareBytes(a[0], b[0]));
	return pairs.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
}

/** Upper-case hex MD5 of `<sorted params>&key=<signing key>`. */
export function signParams(params: SignableParams, key: string): string {
	if (typeof key !== 'string' || key === '') throw new Error('Signing key is empty');
	const base = canonicalString(params);
	const text = base === '' ? `key=${key}` : `${base}&key=${key}`;
	return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** JSON with object keys sorted at every level (Go's `json.Marshal` of maps), values untouched. */
export function stableStringify(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) => {
		if (v && typeof v === 'object' && !Array.isArray(v)) {
			const sorted: Record<string, unknown> = {};
			for (const k of Object.keys(v as object).sort(compareBytes)) {
				sorted[k] = (v as Record<string, unknown>)[k];
			}
			return sorted;
		}
		return v;
	});
}

/** Adds `timestamp` (if absent) and `sign`, then base64 of the sorted JSON: the `payload` field. */
export function encodePayload(params: SignableParams, key: string, options: EncodeOptions = {}): string {
	const withTime: SignableParams = { ...params };
	delete withTime.sign;
	if (isEmptyValue(withTime.timestamp)) {
		withTime.timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
	}
	withTime.sign = signParams(withTime, key);
	return Buffer.from(stableStringify(withTime), 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes a `payload` string; throws a plain error saying what is wrong with it. */
export function decodePayload(payload: unknown): Record<string, unknown> {
	if (typeof payload !== 'string' || payload.trim() === '') {
		throw new Error('payload must be a non-empty base64 string');
	}
	const text = payload.trim();
	if (!BASE64.test(text) || text.length % 4 === 1) {
		throw new Error('payload is not valid base64');
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
	} catch {
		throw new Error('payload is base64 but does not decode to JSON');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new Error('payload must decode to a JSON object');
	}
	return parsed as Record<string, unknown>;
}

/** True when `params.sign` matches the recomputed sign (constant-time compare). */
export function verifyParams(params: SignableParams, key: string): boolean {
	const given = params?.sign;
	if (typeof given !== 'string' || !/^[0-9a-fA-F]{32}$/.test(given)) return false;
	const expected = Buffer.from(signParams(params, key), 'utf8');
	return timingSafeEqual(expected, Buffer.from(given.toUpperCase(), 'utf8'));
}
