import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as bill from './actions/bill';
import * as payment from './actions/payment';
import * as refund from './actions/refund';
import { router } from './actions/router';
import { allowGoodsAndMoneyField } from '../shared/common/aiTool';
import { alipayKeys } from '../shared/alipay/credentialTest';

export class Alipay implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Alipay',
		name: 'alipay',
		icon: { light: 'file:alipay.svg', dark: 'file:alipay.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ({ create: "Create", get: "Get", close: "Close" })[$parameter["operation"]] + " " + ({ refund: "Refund", payment: "Payment", bill: "Bill" })[$parameter["resource"]] }}',
		description: 'Refund Alipay payments once per refund key, look up and close payments, download the daily bill',
		defaults: { name: 'Alipay' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Inline: n8n's credential-test-required rule reads `testedBy` from this file.
		credentials: [{ name: 'alipayApi', required: true, displayName: 'Alipay API', testedBy: 'alipayKeys' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Bill', value: 'bill', description: 'The daily trade bill, for reconciliation' },
					{ name: 'Payment', value: 'payment', description: 'A trade: look it up or close it' },
					{ name: 'Refund', value: 'refund', description: 'Money back to the payer' },
				],
				default: 'refund',
			},
			...refund.description,
			...payment.description,
			...bill.description,
			allowGoodsAndMoneyField({ resource: ['refund'], operation: ['create'] }), // AI-agent tool variant only
		],
	};

	methods = { credentialTest: { alipayKeys } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
