import { createPrivateKey, createPublicKey, type KeyObject } from 'crypto';

/**
 * Keys as merchants paste them: a full PEM, a PEM whose line breaks became "\n" or spaces, or the
 * bare base64 body that Alipay's key tool and WeChat Pay's platform show. A key that does not
 * parse is an error naming the credential field — never a crash, never the key's text.
 */
export class KeyError extends Error {
	constructor(readonly field: string, detail: string) {
		super(`Credential field "${field}" ${detail}`);
		this.name = 'KeyError';
	}
}

function body(text: string): { label?: string; base64: string } {
	const cleaned = text.replace(/\\n/g, '\n').trim();
	const pem = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(cleaned);
	if (pem) return { label: pem[1], base64: pem[2].replace(/\s+/g, '') };
	return { base64: cleaned.replace(/\s+/g, '') };
}

function der(field: string, text: unknown): { label?: string; bytes: Buffer } {
	if (typeof text !== 'string' || text.trim() === '') throw new KeyError(field, 'is empty');
	const { label, base64 } = body(text);
	if (!/^[A-Za-z0-9+/]+=*$/.test(base64)) throw new KeyError(field, 'is not a PEM key (expected "-----BEGIN … KEY-----" or its base64 body)');
	return { label, bytes: Buffer.from(base64, 'base64') };
}

/** Node's parsers throw on bad input; here a failure is just "not this format". */
function attempt(make: () => KeyObject): KeyObject | undefined {
	try {
		return make();
	} catch {
		return undefined;
	}
}

function rsaOnly(field: string, key: KeyObject | undefined): KeyObject | undefined {
	if (key && key.asymmetricKeyType !== 'rsa') throw new KeyError(field, `is a ${key.asymmetricKeyType} key; an RSA key is needed`);
	return key;
}

/** The merchant's or app's RSA private key (PKCS#8 or PKCS#1). */
export function parsePrivateKey(field: string, text: unknown): KeyObject {
	const { label, bytes } = der(field, text);
	if (label && !/PRIVATE KEY$/.test(label)) throw new KeyError(field, `holds a "${label}", not a private key`);
	const types = label === 'RSA PRIVATE KEY' ? (['pkcs1'] as const) : label ? (['pkcs8'] as const) : (['pkcs8', 'pkcs1'] as const);
	for (const type of types) {
		const key = rsaOnly(field, attempt(() => createPrivateKey({ key: bytes, format: 'der', type })));
		if (key) return key;
	}
	throw new KeyError(field, 'does not parse as an RSA private key (PKCS#8 or PKCS#1)');
}

/** A provider's RSA public key (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY"). */
export function parsePublicKey(field: string, text: unknown): KeyObject {
	const { label, bytes } = der(field, text);
	if (label === 'CERTIFICATE') {
		// Older merchants verify with a platform certificate: its public key does the same job.
		const pem = `-----BEGIN CERTIFICATE-----\n${bytes.toString('base64')}\n-----END CERTIFICATE-----`;
		const key = rsaOnly(field, attempt(() => createPublicKey({ key: pem, format: 'pem' })));
		if (!key) throw new KeyError(field, 'holds a certificate that does not parse');
		return key;
	}
	if (label && !/PUBLIC KEY$/.test(label)) throw new KeyError(field, `holds a "${label}", not a public key`);
	// Node derives a public key from a private one given as DER: a pasted private key would "parse" here.
	if (!label && (['pkcs8', 'pkcs1'] as const).some((type) => attempt(() => createPrivateKey({ key: bytes, format: 'der', type })))) {
		throw new KeyError(field, 'holds a private key, not a public key');
	}
	const types = label === 'RSA PUBLIC KEY' ? (['pkcs1'] as const) : label ? (['spki'] as const) : (['spki', 'pkcs1'] as const);
	for (const type of types) {
		const key = rsaOnly(field, attempt(() => createPublicKey({ key: bytes, format: 'der', type })));
		if (key) return key;
	}
	throw new KeyError(field, 'does not parse as an RSA public key');
}

/** Credential text fields: trimmed; an empty one is an error naming the field. */
export const fieldText = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));

export function requiredField(raw: Record<string, unknown>, name: string, label: string): string {
	const value = fieldText(raw[name]);
	if (!value) throw new KeyError(label, 'is empty');
	return value;
}

export function httpUrlField(raw: Record<string, unknown>, name: string, label: string): string {
	const value = requiredField(raw, name, label).replace(/\/+$/, '');
	let ok = false;
	try {
		ok = /^https?:$/.test(new URL(value).protocol);
	} catch {
		ok = false;
	}
	if (!ok) throw new KeyError(label, `must be an http(s) URL, got "${value}"`);
	return value;
}
