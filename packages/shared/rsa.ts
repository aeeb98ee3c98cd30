import { createSign, createVerify, type KeyObject } from 'crypto';

/** SHA256withRSA (PKCS#1 v1.5), base64: the signature both WeChat Pay v3 and Alipay RSA2 use. */
export function rsaSign(text: string, key: KeyObject): string {
	return createSign('RSA-SHA256').update(text, 'utf8').sign(key, 'base64');
}

export function rsaVerify(text: string, signature: unknown, key: KeyObject): boolean {
	if (typeof signature !== 'string' || signature === '') return false;
	try {
		return createVerify('RSA-SHA256').update(text, 'utf8').verify(key, signature, 'base64');
	} catch {
		return false;
	}
}
