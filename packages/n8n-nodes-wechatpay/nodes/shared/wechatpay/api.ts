import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'crypto';

import { rsaSign, rsaVerify } from '../payments/rsa';

/** WeChat Pay API v3 (微信支付 APIv3): request signatures, answer/notification verification, resource decryption. */

export const WECHAT_DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';
export const WECHAT_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
export const WECHAT_REFUNDS_PATH = '/v3/refund/domestic/refunds';
/** Notifications and answers more than this far from now are refused (WeChat Pay's own advice). */
export const WECHAT_MAX_SKEW_SECONDS = 300;

export const nonce = () => randomBytes(16).toString('hex');
export const unixSeconds = (ms = Date.now()) => String(Math.floor(ms / 1000));

/** `method\npath?query\ntimestamp\nnonce\nbody\n` signed with the merchant key, as the Authorization header. */
export function weChatAuthorization(
	signer: { mchId: string; serialNo: string; privateKey: KeyObject },
	method: string,
	pathWithQuery: string,
	body: string,
	timestamp = unixSeconds(),
	nonceStr = nonce(),
): string {
	const signature = rsaSign(`${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonceStr}\n${body}\n`, signer.privateKey);
	return `${WECHAT_SCHEME} mchid="${signer.mchId}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${signer.serialNo}"`;
}

/** The fields of an Authorization header (the provider sandbox reads them back). */
export function parseWeChatAuthorization(header: unknown): Record<string, string> | undefined {
	if (typeof header !== 'string' || !header.startsWith(`${WECHAT_SCHEME} `)) return undefined;
	const fields: Record<string, string> = {};
	for (const match of header.slice(WECHAT_SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g)) fields[match[1]] = match[2];
	return fields;
}

export interface WeChatSignedHeaders {
	timestamp: unknown;
	nonce: unknown;
	signature: unknown;
	serial: unknown;
}

/** The Wechatpay-* headers of an answer or notification, whatever the case of their names. */
export function weChatHeaders(headers: Record<string, unknown>): WeChatSignedHeaders {
	const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
	const one = (name: string) => {
		const value = lower.get(name);
		return Array.isArray(value) ? value[0] : value;
	};
	return {
		timestamp: one('wechatpay-timestamp'),
		nonce: one('wechatpay-nonce'),
		signature: one('wechatpay-signature'),
		serial: one('wechatpay-serial'),
	};
}

/** Signs an answer or notification body as WeChat Pay does (provider sandbox side). */
export function signWeChatBody(privateKey: KeyObject, serial: string, body: string, timestamp = unixSeconds()): Record<string, string> {
	const nonceStr = nonce();
	return {
		'Wechatpay-Timestamp': timestamp,
		'Wechatpay-Nonce': nonceStr,
		'Wechatpay-Signature': rsaSign(`${timestamp}\n${nonceStr}\n${body}\n`, privateKey),
		'Wechatpay-Serial': serial,
	};
}

/**
 * Why a WeChat Pay signature is not acceptable, or undefined when it is: the serial must name the
 * credential's public key, the timestamp be within 5 minutes, and `timestamp\nnonce\nbody\n` verify.
 */
export function weChatSignatureProblem(
	headers: WeChatSignedHeaders,
	body: string,
	publicKey: KeyObject,
	publicKeyId: string,
	nowMs = Date.now(),
): string | undefined {
	const { timestamp, nonce: nonceStr, signature, serial } = headers;
	if (typeof timestamp !== 'string' || typeof nonceStr !== 'string' || typeof signature !== 'string' || signature === '') {
		return 'missing Wechatpay-Timestamp, Wechatpay-Nonce or Wechatpay-Signature header';
	}
	if (publicKeyId && typeof serial === 'string' && serial !== publicKeyId) {
		return `signed with key "${serial}" but the credential's Public Key ID is "${publicKeyId}"`;
	}
	const seconds = Number(timestamp);
	if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - seconds) > WECHAT_MAX_SKEW_SECONDS) {
		return 'Wechatpay-Timestamp is more than 5 minutes from now (stale or replayed)';
	}
	if (!rsaVerify(`${timestamp}\n${nonceStr}\n${body}\n`, signature, publicKey)) return 'signature does not verify with the WeChat Pay public key';
	return undefined;
}

export interface WeChatResource {
	algorithm?: unknown;
	ciphertext?: unknown;
	associated_data?: unknown;
	nonce?: unknown;
	original_type?: unknown;
}

/** AEAD_AES_256_GCM with the APIv3 key: ciphertext is base64 of (encrypted bytes + 16-byte tag). */
export function decryptResource(apiV3Key: string, resource: WeChatResource): string {
	if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported resource algorithm "${String(resource.algorithm)}"`);
	if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string') throw new Error('resource has no ciphertext or nonce');
	const data = Buffer.from(resource.ciphertext, 'base64');
	if (data.length < 17) throw new Error('resource ciphertext is too short');
	const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
	decipher.setAAD(Buffer.from(typeof resource.associated_data === 'string' ? resource.associated_data : '', 'utf8'));
	decipher.setAuthTag(data.subarray(data.length - 16));
	let plain: string | undefined;
	try {
		plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
	} catch {
		plain = undefined; // the tag did not match
	}
	if (plain === undefined) throw new Error('resource does not decrypt with the APIv3 key (wrong key or altered ciphertext)');
	return plain;
}

/** The inverse of decryptResource (provider sandbox side). */
export function encryptResource(apiV3Key: string, plaintext: string, associatedData: string, originalType: string): Required<WeChatResource> {
	const nonceStr = randomBytes(6).toString('hex');
	const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonceStr, 'utf8'));
	cipher.setAAD(Buffer.from(associatedData, 'utf8'));
	const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
	return { algorithm: 'AEAD_AES_256_GCM', ciphertext: data.toString('base64'), associated_data: associatedData, nonce: nonceStr, original_type: originalType };
}

/** The APIv3 key is exactly 32 bytes; anything else cannot decrypt. */
export function apiV3KeyProblem(key: unknown): string | undefined {
	if (typeof key !== 'string' || key === '') return 'is empty';
	return Buffer.byteLength(key, 'utf8') === 32 ? undefined : 'must be the 32-character APIv3 key';
}
