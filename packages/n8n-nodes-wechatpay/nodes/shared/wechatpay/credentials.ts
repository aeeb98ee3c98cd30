import type { KeyObject } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { KeyError, parsePrivateKey, parsePublicKey } from './keys';
import { apiV3KeyProblem } from './weChatPay';

/**
 * The two providers' credentials, read and checked once per execution; errors name the field,
 * never a value. The triggers only verify (and decrypt): they read the `…Verifier` part, so a
 * broken private key does not stop payments from coming in.
 */

export interface WeChatPayVerifier {
	mchId: string;
	apiV3Key: string;
	publicKeyId: string;
	publicKey: KeyObject;
}

export interface WeChatPayCredentials extends WeChatPayVerifier {
	baseUrl: string;
	serialNo: string;
	privateKey: KeyObject;
}

export interface AlipayVerifier {
	appId: string;
	alipayPublicKey: KeyObject;
}

export interface AlipayCredentials extends AlipayVerifier {
	gatewayUrl: string;
	privateKey: KeyObject;
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

export function readWeChatPayVerifier(raw: ICredentialDataDecryptedObject): WeChatPayVerifier {
	const apiV3Key = text(raw.apiV3Key);
	const keyProblem = apiV3KeyProblem(apiV3Key);
	if (keyProblem) throw new KeyError('APIv3 Key', keyProblem);
	return {
		mchId: required(raw, 'mchId', 'Merchant ID'),
		apiV3Key,
		publicKeyId: required(raw, 'publicKeyId', 'WeChat Pay Public Key ID'),
		publicKey: parsePublicKey('WeChat Pay Public Key', raw.publicKey),
	};
}

export function readWeChatPay(raw: ICredentialDataDecryptedObject): WeChatPayCredentials {
	return {
		...readWeChatPayVerifier(raw),
		baseUrl: httpUrl(raw, 'baseUrl', 'Base URL'),
		serialNo: required(raw, 'serialNo', 'Merchant Certificate Serial No'),
		privateKey: parsePrivateKey('Merchant Private Key', raw.privateKey),
	};
}

export function readAlipayVerifier(raw: ICredentialDataDecryptedObject): AlipayVerifier {
	return { appId: required(raw, 'appId', 'App ID'), alipayPublicKey: parsePublicKey('Alipay Public Key', raw.alipayPublicKey) };
}

export function readAlipay(raw: ICredentialDataDecryptedObject): AlipayCredentials {
	return {
		...readAlipayVerifier(raw),
		gatewayUrl: httpUrl(raw, 'gatewayUrl', 'Gateway URL'),
		privateKey: parsePrivateKey('App Private Key', raw.privateKey),
	};
}
