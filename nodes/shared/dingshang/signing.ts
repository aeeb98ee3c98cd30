import { createHash, timingSafeEqual } from 'crypto';

/**
 * DingShang payload signing (docs page "参数加密"). The one module that signs and verifies:
 * the nodes, the trigger, the sandbox and users' Code nodes all call these functions.
 */

export type SignableParams = Record<string, unknown>;

/**
 * The two canonical strings the vendor's own signers produce (PROTOCOL.md, Signing step 4).
 * `plain` joins keys and values as they are (its PHP, Rust and JS libraries; the only published
 * vector where the forms differ reproduces only this way), `go` form-encodes them (its Go library).
 * They differ only where a key or value holds something besides `A-Za-z0-9-_.~` (URL, space, 中文).
 */
export type SignStyle = 'plain' | 'go';
export const SIGN_STYLES: readonly SignStyle[] = ['plain', 'go'];

export interface EncodeOptions {
	/** Unix seconds used when `params.timestamp` is absent; defaults to now. */
	timestamp?: string | number;
	/** Canonical form to sign with; default `plain`. */
	style?: SignStyle;
}

/** Values the platform treats as "not given": they are left out of the signature. */
export function isEmptyValue(value: unknown): boolean {
	return value === null || value === undefined || value === '' || value === 'NULL';
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/**
 * Form-encodes like Go's `url.QueryEscape` (the vendor's Go SDK): unreserved
 * `A-Za-z0-9-_.~` kept, space → `+`, everything else `%XX` upper-case over UTF-8.
 */
export function formEncode(text: string): string {
	if (UNRESERVED.test(text)) return text; // the common case: nothing to escape
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

/**
 * Byte (UTF-8) order, case-sensitive — what Go's `sort.Strings` gives. UTF-8 byte order is code
 * point order; UTF-16 differs only where surrogates meet U+E000–U+FFFF, so those are remapped.
 */
export function compareBytes(a: string, b: string): number {
	if (a === b) return 0;
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i++) {
		let x = a.charCodeAt(i);
		let y = b.charCodeAt(i);
		if (x === y) continue;
		if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
		if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
		return x - y;
	}
	return a.length - b.length;
}

function sortedPairs(params: SignableParams): Array<[string, string]> {
	const pairs: Array<[string, string]> = [];
	for (const key of Object.keys(params)) {
		if (key !== 'sign') flatten(key, params[key], pairs);
	}
	return pairs.sort((a, b) => compareBytes(a[0], b[0]));
}

const asIs = (text: string): string => text;

/** The string that is hashed, without the trailing `&key=…` (exported for tests and debugging). */
export function canonicalString(params: SignableParams, style: SignStyle = 'plain'): string {
	const encode = style === 'go' ? formEncode : asIs;
	let out = '';
	for (const [k, v] of sortedPairs(params)) out += `${out === '' ? '' : '&'}${encode(k)}=${encode(v)}`;
	return out;
}

/** True when the two canonical forms differ for these params, i.e. when the style matters at all. */
export function signStylesDiffer(params: SignableParams): boolean {
	return sortedPairs(params).some(([k, v]) => !UNRESERVED.test(k) || !UNRESERVED.test(v));
}

/** The other canonical form. */
export const otherSignStyle = (style: SignStyle): SignStyle => (style === 'plain' ? 'go' : 'plain');

/** Upper-case hex MD5 of `<sorted params>&key=<signing key>`, in the given canonical form. */
export function signParams(params: SignableParams, key: string, style: SignStyle = 'plain'): string {
	if (typeof key !== 'string' || key === '') throw new Error('Signing key is empty');
	const base = canonicalString(params, style);
	const text = base === '' ? `key=${key}` : `${base}&key=${key}`;
	return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

const isSkipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * JSON with object keys in byte order at every level (Go's `json.Marshal` of maps), values as
 * given. Written out by hand because JS objects always list integer-like keys ("0") first.
 */
export function stableStringify(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map((v) => (isSkipped(v) ? 'null' : stableStringify(v))).join(',')}]`;
	if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
		const record = value as Record<string, unknown>;
		const parts: string[] = [];
		for (const k of Object.keys(record).sort(compareBytes)) {
			if (!isSkipped(record[k])) parts.push(`${JSON.stringify(k)}:${stableStringify(record[k])}`);
		}
		return `{${parts.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** Adds `timestamp` (if absent) and `sign`, then base64 of the sorted JSON: the `payload` field. */
export function encodePayload(params: SignableParams, key: string, options: EncodeOptions = {}): string {
	const withTime: SignableParams = {};
	for (const k of Object.keys(params)) if (k !== 'sign') withTime[k] = params[k];
	if (isEmptyValue(withTime.timestamp)) {
		withTime.timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
	}
	withTime.sign = signParams(withTime, key, options.style);
	return Buffer.from(stableStringify(withTime), 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return NOT_JSON;
	}
}

/** Decodes a `payload` string; throws a plain error saying what is wrong with it. */
export function decodePayload(payload: unknown): Record<string, unknown> {
	if (typeof payload !== 'string' || payload.trim() === '') {
		throw new Error('payload must be a non-empty base64 string');
	}
	const text = payload.trim();
	if (!BASE64.test(text) || text.length % 4 === 1) {
		throw new Error('payload is not valid base64');
	}
	const parsed = parseJson(Buffer.from(text, 'base64').toString('utf8'));
	if (parsed === NOT_JSON) throw new Error('payload is base64 but does not decode to JSON');
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new Error('payload must decode to a JSON object');
	}
	return parsed as Record<string, unknown>;
}

/**
 * The canonical form (among `styles`) whose sign matches `params.sign`, or undefined (constant-time
 * compare). Where the forms agree the first style is named, as it matched too.
 */
export function matchingSignStyle(params: SignableParams, key: string, styles: readonly SignStyle[] = SIGN_STYLES): SignStyle | undefined {
	const given = params?.sign;
	if (typeof given !== 'string' || !/^[0-9a-fA-F]{32}$/.test(given)) return undefined;
	const actual = Buffer.from(given.toUpperCase(), 'utf8');
	return styles.find((style) => timingSafeEqual(Buffer.from(signParams(params, key, style), 'utf8'), actual));
}

/** True when `params.sign` matches the recomputed sign in one of `styles` (default: either form). */
export function verifyParams(params: SignableParams, key: string, styles: readonly SignStyle[] = SIGN_STYLES): boolean {
	return matchingSignStyle(params, key, styles) !== undefined;
}

/**
 * The same signed `payload` as `encodePayload(params, key)` with the current timestamp, written as
 * an n8n expression: n8n's declarative credential test cannot call our code, but its expressions
 * have `hash('md5')` and `base64Encode()`. Built here from the signing rules above, for flat
 * params whose keys and values need no form-encoding, so both canonical forms are the same
 * (anything else is refused): the credential test stays one request whichever form the server checks.
 */
export function payloadExpression(params: Record<string, string>, keyExpression: string): `={{${string}}}` {
	for (const [k, v] of Object.entries(params)) {
		if (k === 'timestamp' || k === 'sign' || formEncode(k) !== k || formEncode(v) !== v || v === '') {
			throw new Error(`payloadExpression: "${k}" cannot be signed inside an expression`);
		}
	}
	const quote = (text: string) => `'${text}'`; // safe: form-encoding-free text has no quotes or backslashes
	const signed = Object.keys({ ...params, timestamp: '' }).sort(compareBytes);
	const canonical = signed.map((k) => (k === 'timestamp' ? `'timestamp=' + t` : quote(`${k}=${params[k]}`))).join(` + '&' + `);
	const fields = [...signed, 'sign'].sort(compareBytes).map((k) => {
		if (k === 'timestamp') return `'"timestamp":"' + t + '"'`;
		if (k === 'sign') return `'"sign":"' + sign + '"'`;
		return quote(`${JSON.stringify(k)}:${JSON.stringify(params[k])}`);
	});
	return `={{ ((t) => { const sign = (${canonical} + '&key=' + ${keyExpression}).hash('md5').toUpperCase(); return ('{' + ${fields.join(` + ',' + `)} + '}').base64Encode(); })(String(Math.floor(Date.now() / 1000))) }}`;
}
