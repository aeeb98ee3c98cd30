import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as bill from './actions/bill';
import * as payment from './actions/payment';
import * as refund from './actions/refund';
import { router } from './actions/router';
import { allowGoodsAndMoneyField } from '../shared/common/aiTool';
import { weChatPayKeys } from '../shared/wechatpay/credentialTest';

export class WeChatPay implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeChat Pay',
		name: 'weChatPay',
		icon: { light: 'file:wechatpay.svg', dark: 'file:wechatpay.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ({ create: "Create", get: "Get", close: "Close" })[$parameter["operation"]] + " " + ({ refund: "Refund", payment: "Payment", bill: "Bill" })[$parameter["resource"]] }}',
		description: 'Refund WeChat Pay payments once per refund key, look up and close payments, download trade bills',
		defaults: { name: 'WeChat Pay' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Inline: n8n's credential-test-required rule reads `testedBy` from this file.
		credentials: [{ name: 'weChatPayApi', required: true, displayName: 'WeChat Pay API', testedBy: 'weChatPayKeys' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Bill', value: 'bill', description: 'A day\'s trade bill from WeChat Pay, to reconcile against' },
					{ name: 'Payment', value: 'payment', description: 'A payment as WeChat Pay knows it' },
					{ name: 'Refund', value: 'refund', description: 'Money back to the payer' },
				],
				default: 'refund',
			},
			...bill.description,
			...payment.description,
			...refund.description,
			allowGoodsAndMoneyField({ resource: ['refund'], operation: ['create'] }), // AI-agent tool variant only
		],
	};

	methods = { credentialTest: { weChatPayKeys } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
