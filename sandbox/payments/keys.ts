import { createPublicKey, generateKeyPairSync, randomBytes, randomInt, type KeyObject } from 'crypto';

import { parsePrivateKey } from '../../packages/shared/keys';

/** The sandbox's four RSA key pairs and ids: generated at start unless given (so a restart can keep them). */

export const WECHAT_MCH_ID = '1900000109';
export const WECHAT_APP_ID = 'wxd678efh567hg6787';
export const ALIPAY_APP_ID = '2021000000000001';

/** Everything needed to start again with the same credentials; private PEMs only (public keys derive from them). */
export interface PaymentKeys {
	/** WeChat Pay merchant key (商户API私钥), PKCS#8 PEM: the client signs with it, the sandbox verifies. */
	weChatMerchantPrivateKey: string;
	/** WeChat Pay platform key (微信支付公钥 mode): the sandbox signs answers and notifications. */
	weChatPlatformPrivateKey: string;
	/** Alipay app key (应用私钥): the client signs gateway calls. */
	alipayAppPrivateKey: string;
	/** Alipay platform key: the sandbox signs answers and notifications. */
	alipayPlatformPrivateKey: string;
	/** 32 characters. */
	apiV3Key: string;
	/** Merchant certificate serial number, 40 upper-case hex. */
	serialNo: string;
	/** WeChat Pay public key id (PUB_KEY_ID_…). */
	publicKeyId: string;
}

export interface KeyRing {
	pems: PaymentKeys;
	merchantPrivate: KeyObject;
	merchantPublic: KeyObject;
	platformPrivate: KeyObject;
	appPrivate: KeyObject;
	appPublic: KeyObject;
	alipayPrivate: KeyObject;
}

const newPrivatePem = (): string => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const digits = (n: number): string => Array.from({ length: n }, () => randomInt(10)).join('');
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const spkiPem = (privateKey: KeyObject): string => createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();

export function loadKeys(given: Partial<PaymentKeys> = {}): KeyRing {
	const pems: PaymentKeys = {
		weChatMerchantPrivateKey: given.weChatMerchantPrivateKey ?? newPrivatePem(),
		weChatPlatformPrivateKey: given.weChatPlatformPrivateKey ?? newPrivatePem(),
		alipayAppPrivateKey: given.alipayAppPrivateKey ?? newPrivatePem(),
		alipayPlatformPrivateKey: given.alipayPlatformPrivateKey ?? newPrivatePem(),
		apiV3Key: given.apiV3Key ?? Array.from(randomBytes(32), (b) => ALPHANUM[b % ALPHANUM.length]).join(''),
		serialNo: given.serialNo ?? randomBytes(20).toString('hex').toUpperCase(),
		publicKeyId: given.publicKeyId ?? `PUB_KEY_ID_01${WECHAT_MCH_ID}${digits(12)}`,
	};
	if (Buffer.byteLength(pems.apiV3Key, 'utf8') !== 32) throw new Error('keys.apiV3Key must be 32 bytes');
	// parsePrivateKey names the field on a bad PEM and never echoes the key.
	const merchant = parsePrivateKey('keys.weChatMerchantPrivateKey', pems.weChatMerchantPrivateKey);
	const app = parsePrivateKey('keys.alipayAppPrivateKey', pems.alipayAppPrivateKey);
	return {
		pems,
		merchantPrivate: merchant,
		merchantPublic: createPublicKey(merchant),
		platformPrivate: parsePrivateKey('keys.weChatPlatformPrivateKey', pems.weChatPlatformPrivateKey),
		appPrivate: app,
		appPublic: createPublicKey(app),
		alipayPrivate: parsePrivateKey('keys.alipayPlatformPrivateKey', pems.alipayPlatformPrivateKey),
	};
}
