import type { KeyObject } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { httpUrlField, parsePrivateKey, parsePublicKey, requiredField } from '../payments/keys';

/**
 * The Alipay credential, read and checked once per execution; errors name the field, never a
 * value. The trigger only verifies: it reads the verifier part, so a broken private key does not
 * stop payments from coming in.
 */

export const CREDENTIAL_TYPE = 'alipayApi';

export interface AlipayVerifier {
	appId: string;
	alipayPublicKey: KeyObject;
}

export interface AlipayCredentials extends AlipayVerifier {
	gatewayUrl: string;
	privateKey: KeyObject;
}

export function readAlipayVerifier(raw: ICredentialDataDecryptedObject): AlipayVerifier {
	return { appId: requiredField(raw, 'appId', 'App ID'), alipayPublicKey: parsePublicKey('Alipay Public Key', raw.alipayPublicKey) };
}

export function readAlipay(raw: ICredentialDataDecryptedObject): AlipayCredentials {
	return {
		...readAlipayVerifier(raw),
		gatewayUrl: httpUrlField(raw, 'gatewayUrl', 'Gateway URL'),
		privateKey: parsePrivateKey('App Private Key', raw.privateKey),
	};
}
