import type { KeyObject } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { fieldText, httpUrlField, KeyError, parsePrivateKey, parsePublicKey, requiredField } from '../payments/keys';
import { apiV3KeyProblem } from './api';

/**
 * The WeChat Pay credential, read and checked once per execution; errors name the field, never a
 * value. The trigger only verifies and decrypts: it reads the verifier part, so a broken private
 * key does not stop payments from coming in.
 */

export const CREDENTIAL_TYPE = 'weChatPayApi';

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

export function readWeChatPayVerifier(raw: ICredentialDataDecryptedObject): WeChatPayVerifier {
	const apiV3Key = fieldText(raw.apiV3Key);
	const keyProblem = apiV3KeyProblem(apiV3Key);
	if (keyProblem) throw new KeyError('APIv3 Key', keyProblem);
	return {
		mchId: requiredField(raw, 'mchId', 'Merchant ID'),
		apiV3Key,
		publicKeyId: requiredField(raw, 'publicKeyId', 'WeChat Pay Public Key ID'),
		publicKey: parsePublicKey('WeChat Pay Public Key', raw.publicKey),
	};
}

export function readWeChatPay(raw: ICredentialDataDecryptedObject): WeChatPayCredentials {
	return {
		...readWeChatPayVerifier(raw),
		baseUrl: httpUrlField(raw, 'baseUrl', 'Base URL'),
		serialNo: requiredField(raw, 'serialNo', 'Merchant Certificate Serial No'),
		privateKey: parsePrivateKey('Merchant Private Key', raw.privateKey),
	};
}
