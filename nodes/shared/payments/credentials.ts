import type { KeyObject } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { KeyError, parsePrivateKey, parsePublicKey } from './keys';
import { apiV3KeyProblem } from './weChatPay';

/** The two providers' credentials, read and checked once per execution; errors name the field, never a value. */

export interface WeChatPayCredentials {
	baseUrl: string;
	mchId: string;
	serialNo: string;
	privateKey: KeyObject;
	apiV3Key: string;
	publicKeyId: string;
	publicKey: KeyObject;
}

export interface AlipayCredentials {
	gatewayUrl: string;
	appId: string;
	privateKey: KeyObject;
	alipayPublicKey: KeyObject;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));

function required(raw: ICredentialDataDecryptedObject, name: string, label: string): string {
	const value = text(raw[name]);
	if (!value) throw new KeyError(label, 'is empty');
	return value;
}

function httpUrl(raw: ICredentialDataDecryptedObject, name: string, label: string): string {
	const value = required(raw, name, label).replace(/\/+$/, '');
	let ok = false;
	try {
		ok = /^https?:$/.test(new URL(value).protocol);
	} catch {
		ok = false;
	}
	if (!ok) throw new KeyError(label, `must be an http(s) URL, got "${value}"`);
	return value;
}

/** `use`: what the caller needs — the trigger only verifies and decrypts, so a broken private key does not stop it. */
export function readWeChatPay(raw: ICredentialDataDecryptedObject, use: 'request' | 'notification'): WeChatPayCredentials {
	const apiV3Key = text(raw.apiV3Key);
	const keyProblem = use === 'notification' ? apiV3KeyProblem(apiV3Key) : undefined;
	if (keyProblem) throw new KeyError('APIv3 Key', keyProblem);
	return {
		baseUrl: use === 'request' ? httpUrl(raw, 'baseUrl', 'Base URL') : text(raw.baseUrl),
		mchId: required(raw, 'mchId', 'Merchant ID'),
		serialNo: use === 'request' ? required(raw, 'serialNo', 'Merchant Certificate Serial No') : text(raw.serialNo),
		privateKey: use === 'request' ? parsePrivateKey('Merchant Private Key', raw.privateKey) : (undefined as unknown as KeyObject),
		apiV3Key,
		publicKeyId: required(raw, 'publicKeyId', 'WeChat Pay Public Key ID'),
		publicKey: parsePublicKey('WeChat Pay Public Key', raw.publicKey),
	};
}

export function readAlipay(raw: ICredentialDataDecryptedObject, use: 'request' | 'notification'): AlipayCredentials {
	return {
		gatewayUrl: use === 'request' ? httpUrl(raw, 'gatewayUrl', 'Gateway URL') : text(raw.gatewayUrl),
		appId: required(raw, 'appId', 'App ID'),
		privateKey: use === 'request' ? parsePrivateKey('App Private Key', raw.privateKey) : (undefined as unknown as KeyObject),
		alipayPublicKey: parsePublicKey('Alipay Public Key', raw.alipayPublicKey),
	};
}
