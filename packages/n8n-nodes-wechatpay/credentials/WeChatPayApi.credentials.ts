import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { WECHAT_DEFAULT_BASE_URL } from '../nodes/shared/wechatpay/api';

/**
 * WeChat Pay API v3. No `authenticate` and no Test button: every request is signed with
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
			hint: 'Keep the default for real payments',
			required: true,
			description: 'Keep the default unless you use a proxy or the local WeChat Pay sandbox',
		},
		{
			displayName: 'Merchant ID',
			hint: 'WeChat Pay merchant platform → Account Center → Merchant Information: the 10-digit merchant number',
			name: 'mchId',
			type: 'string',
			default: '',
			placeholder: '1900000109',
			required: true,
		},
		{
			displayName: 'Merchant Certificate Serial No',
			hint: 'Merchant platform → Account Center → API Security → API certificate: its serial number',
			name: 'serialNo',
			type: 'string',
			default: '',
			required: true,
			description: 'The serial number of your merchant API certificate (merchant platform → Account Center → API Security)',
		},
		{
			displayName: 'Merchant Private Key',
			hint: 'Paste the whole apiclient_key.pem file made with the API certificate, BEGIN and END lines included',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			description: 'The content of apiclient_key.pem ("-----BEGIN PRIVATE KEY-----…"); signs every request',
		},
		{
			displayName: 'APIv3 Key',
			hint: 'The 32 characters you set under API Security → APIv3 key; not the private key',
			name: 'apiV3Key',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The 32-character APIv3 key; decrypts payment notifications',
		},
		{
			displayName: 'WeChat Pay Public Key ID',
			hint: 'API Security → WeChat Pay public key: the ID starting with PUB_KEY_ID_',
			name: 'publicKeyId',
			type: 'string',
			default: '',
			placeholder: 'PUB_KEY_ID_0000000000000000000000000000000000',
			required: true,
			description: 'Shown beside the WeChat Pay public key; answers and notifications name it in Wechatpay-Serial',
		},
		{
			displayName: 'WeChat Pay Public Key',
			hint: 'Paste the whole pub_key.pem downloaded beside that ID, BEGIN and END lines included',
			name: 'publicKey',
			type: 'string',
			typeOptions: { rows: 4 }, // public, not a secret
			default: '',
			required: true,
			description: 'The content of pub_key.pem ("-----BEGIN PUBLIC KEY-----…"); verifies answers and notifications',
		},
	];
}
