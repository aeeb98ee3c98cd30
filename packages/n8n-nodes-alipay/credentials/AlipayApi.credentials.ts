import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { ALIPAY_DEFAULT_GATEWAY } from '../nodes/shared/alipay/api';

/**
 * Alipay OpenAPI, public-key mode with RSA2. No `authenticate` and no declarative test: each call
 * is signed over its sorted parameters with the app private key, which n8n's declarative
 * credentials cannot do. The Test button runs the Alipay node's `alipayKeys`: one signed harmless
 * call that proves the App Private Key and the Alipay Public Key, naming the wrong one.
 */
export class AlipayApi implements ICredentialType {
	name = 'alipayApi';

	displayName = 'Alipay API';

	icon: Icon = { light: 'file:alipay.svg', dark: 'file:alipay.dark.svg' };

	documentationUrl = 'https://opendocs.alipay.com/common/02kf5q';

	properties: INodeProperties[] = [
		{
			displayName: 'Gateway URL',
			hint: 'Keep the default for real payments',
			name: 'gatewayUrl',
			type: 'string',
			default: ALIPAY_DEFAULT_GATEWAY,
			required: true,
			description: 'Keep the default unless you use Alipay\'s own sandbox, a proxy or the local Alipay sandbox',
		},
		{
			displayName: 'App ID',
			hint: 'Alipay Open Platform → your app: the APPID, 16 digits',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: '2021000000000000',
			required: true,
		},
		{
			displayName: 'App Private Key',
			hint: 'The private key made with Alipay\'s key tool for this app; never give it to anyone',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			description: 'The app private key (RSA2, PKCS#8 or PKCS#1, with or without the PEM lines); signs every request',
		},
		{
			displayName: 'Alipay Public Key',
			hint: 'Your app → Development Settings → interface signing: the Alipay public key, not your app public key',
			name: 'alipayPublicKey',
			type: 'string',
			typeOptions: { rows: 4 }, // public, not a secret
			default: '',
			required: true,
			description: 'The Alipay public key (not your app public key); verifies answers and notifications',
		},
	];
}
