import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { WECHAT_DEFAULT_BASE_URL } from '../nodes/shared/wechatpay/api';

/**
 * WeChat Pay API v3 (微信支付). No `authenticate` and no Test button: every request is signed with
 * the merchant private key (RSA-SHA256 over method, path, time, nonce and body), which n8n's
 * declarative credentials cannot do; the WeChat Pay node checks the keys before any request.
 */
export class WeChatPayApi implements ICredentialType {
	name = 'weChatPayApi';

	displayName = 'WeChat Pay API';

	icon: Icon = { light: 'file:wechatpay.svg', dark: 'file:wechatpay.dark.svg' };

	documentationUrl = 'https://pay.weixin.qq.com/doc/v3/merchant/4012365342';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: WECHAT_DEFAULT_BASE_URL,
			required: true,
			description: 'Keep the default unless you use a proxy or the local WeChat Pay sandbox',
		},
		{
			displayName: 'Merchant ID (商户号)',
			name: 'mchId',
			type: 'string',
			default: '',
			placeholder: '1900000109',
			required: true,
		},
		{
			displayName: 'Merchant Certificate Serial No (商户API证书序列号)',
			name: 'serialNo',
			type: 'string',
			default: '',
			required: true,
			description: 'The serial number of your merchant API certificate (商户平台 → 账户中心 → API安全)',
		},
		{
			displayName: 'Merchant Private Key (商户API私钥)',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			description: 'The content of apiclient_key.pem ("-----BEGIN PRIVATE KEY-----…"); signs every request',
		},
		{
			displayName: 'APIv3 Key (APIv3密钥)',
			name: 'apiV3Key',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The 32-character APIv3 key; decrypts payment notifications',
		},
		{
			displayName: 'WeChat Pay Public Key ID (微信支付公钥ID)',
			name: 'publicKeyId',
			type: 'string',
			default: '',
			placeholder: 'PUB_KEY_ID_0000000000000000000000000000000000',
			required: true,
			description: 'Shown beside the WeChat Pay public key; answers and notifications name it in Wechatpay-Serial',
		},
		{
			displayName: 'WeChat Pay Public Key (微信支付公钥)',
			name: 'publicKey',
			type: 'string',
			typeOptions: { rows: 4 }, // public, not a secret
			default: '',
			required: true,
			description: 'The content of pub_key.pem ("-----BEGIN PUBLIC KEY-----…"); verifies answers and notifications',
		},
	];
}
