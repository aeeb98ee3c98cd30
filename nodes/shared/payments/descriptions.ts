import type { INodeProperties } from 'n8n-workflow';

import type { Provider } from './errors';

/** What the Payment node and the Payment Notification Trigger both show: the provider, and its credential's type. */

export const CREDENTIAL_OF: Record<Provider, string> = { weChatPay: 'weChatPayApi', alipay: 'alipayApi' };

export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	hint: 'Which app the customer paid with; the credential list above follows it',
	name: 'provider',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'WeChat Pay 微信支付', value: 'weChatPay' },
		{ name: 'Alipay 支付宝', value: 'alipay' },
	],
	default: 'weChatPay',
};
