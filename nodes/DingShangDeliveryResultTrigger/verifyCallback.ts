import { timingSafeEqual } from 'crypto';
import { decodePayload, verifyParams } from '../shared/dingshang/signing';

/**
 * Checks on an incoming delivery-result callback. DingShang does not sign callbacks, so the
 * URL token (and optionally an IP allowlist) is what keeps forged results out.
 */

// `net` is not an allowed import for community nodes (n8n Cloud), hence these small checks.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isIPv4 = (ip: string) => IPV4.test(ip);
const isIPv6 = (ip: string) => /^[0-9a-f:]+$/i.test(ip) && ip.includes(':') && ip.split(':').length <= 8;

export function tokenMatches(expected: string, given: unknown): boolean {
	if (typeof given !== 'string' || expected === '') return false;
	const a = Buffer.from(expected, 'utf8');
	const b = Buffer.from(given, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, lower-case IPv6. */
export function normalizeIp(ip: string | undefined): string {
	const text = (ip ?? '').trim().toLowerCase();
	return text.startsWith('::ffff:') && isIPv4(text.slice(7)) ? text.slice(7) : text;
}

function ipv4ToInt(ip: string): number {
	return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

/** Parses "1.2.3.4, 10.0.0.0/8, ::1" into matchers; throws naming the bad entry. */
export function parseAllowlist(text: string): Array<(ip: string) => boolean> {
	return text
		.split(/[\s,;]+/)
		.filter(Boolean)
		.map((entry) => {
			const [address, bits] = entry.split('/');
			if (isIPv4(address) && bits === undefined) return (ip: string) => ip === address;
			if (isIPv4(address) && /^\d{1,2}$/.test(bits) && Number(bits) <= 32) {
				const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
				const net = ipv4ToInt(address) & mask;
				return (ip: string) => isIPv4(ip) && (ipv4ToInt(ip) & mask) >>> 0 === net >>> 0;
			}
			if (isIPv6(address) && bits === undefined) {
				const wanted = normalizeIp(address);
				return (ip: string) => ip === wanted;
			}
			throw new Error(`IP Allowlist entry "${entry}" is not an IPv4 address, IPv4 CIDR range or IPv6 address`);
		});
}

export function ipAllowed(allowlist: string, ip: string | undefined): boolean {
	const matchers = parseAllowlist(allowlist);
	if (matchers.length === 0) return true;
	const client = normalizeIp(ip);
	return matchers.some((match) => match(client));
}

export type BodyCheck =
	| { ok: true; fields: Record<string, unknown>; signature: 'valid' | 'absent' }
	| { ok: false; status: 400 | 401; error: string };

/**
 * Unwraps a `{payload: base64}` body and checks any `sign` with the merchant signing key.
 * A present-but-wrong sign is always rejected; an absent one only when signatures are required.
 */
export function checkBody(body: Record<string, unknown>, signingKey: string | undefined, requireSignature: boolean): BodyCheck {
	let fields = body;
	if (typeof body.payload === 'string' && Object.keys(body).length === 1) {
		try {
			fields = decodePayload(body.payload);
		} catch (error) {
			return { ok: false, status: 400, error: `Invalid payload: ${(error as Error).message}` };
		}
	}
	if (fields.sign === undefined || fields.sign === null || fields.sign === '') {
		if (requireSignature) return { ok: false, status: 401, error: 'Signature required but the callback has no sign' };
		return { ok: true, fields, signature: 'absent' };
	}
	if (!signingKey) return { ok: false, status: 401, error: 'The callback is signed but no signing key is configured' };
	if (!verifyParams(fields, signingKey)) return { ok: false, status: 401, error: 'Invalid signature' };
	const { sign: _sign, ...unsigned } = fields;
	return { ok: true, fields: unsigned, signature: 'valid' };
}
