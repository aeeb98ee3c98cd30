import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as delivery from './actions/delivery';
import * as order from './actions/order';
import { router } from './actions/router';

export class DingShangVending implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Vending',
		name: 'dingShangVending',
		icon: { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' },
		group: ['transform'],
		version: [1, 1.1],
		defaultVersion: 1.1,
		// The operations' names as the form shows them ("Dispense", not the value "put").
		subtitle:
			'={{ ({ put: "Dispense", get: "Get", create: "Create", update: "Update" })[$parameter["operation"]] + ": " + ({ order: "Order", delivery: "Delivery" })[$parameter["resource"]] }}',
		description:
			'Control DingShang (鼎商云) vending machines: mark orders paid or refunded and make machines dispense, with the result explained',
		defaults: { name: 'DingShang Vending' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: delivery.put.OUTPUTS_EXPRESSION,
		credentials: [{ name: 'dingShangApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Order', value: 'order', description: 'A customer order on a machine (订单)' },
					{ name: 'Delivery', value: 'delivery', description: 'Dispensing the products of an order (出货)' },
				],
				default: 'order',
			},
			...order.description,
			...delivery.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
