import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as refund from './actions/refund';
import { router } from './actions/router';
import { alipayKeys, weChatPayKeys } from '../shared/payments/credentialTest';
import { providerProperty } from '../shared/payments/descriptions';
import { allowGoodsAndMoneyField } from '../shared/common/aiTool';

export class DingShangPayment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Payment',
		name: 'dingShangPayment',
		icon: { light: 'file:payment.svg', dark: 'file:payment.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ({ create: "Create", get: "Get" })[$parameter["operation"]] + " Refund · " + ({ weChatPay: "WeChat Pay", alipay: "Alipay" })[$parameter["provider"]] }}',
		description: 'Refund WeChat Pay (微信支付) and Alipay (支付宝) payments of vending orders, once per refund key',
		defaults: { name: 'DingShang Payment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Inline, not shared: n8n's credential-test-required rule reads `testedBy` from this file.
		// `hide`, not `show`: n8n's editor takes a field that `show`s credentials for the node's
		// authentication choice and hides it from the panel; the provider must stay visible.
		credentials: [
			{ name: 'weChatPayApi', required: true, testedBy: 'weChatPayKeys', displayOptions: { hide: { provider: ['alipay'] } } },
			{ name: 'alipayApi', required: true, testedBy: 'alipayKeys', displayOptions: { hide: { provider: ['weChatPay'] } } },
		],
		properties: [
			providerProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Refund', value: 'refund', description: 'Money back to the payer (退款)' }],
				default: 'refund',
			},
			...refund.description,
			allowGoodsAndMoneyField({ resource: ['refund'], operation: ['create'] }), // AI-agent tool variant only
		],
	};

	methods = { credentialTest: { weChatPayKeys, alipayKeys } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
