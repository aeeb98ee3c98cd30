import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as category from './actions/category';
import * as channel from './actions/channel';
import * as delivery from './actions/delivery';
import * as machine from './actions/machine';
import * as order from './actions/order';
import * as pickupCode from './actions/pickupCode';
import * as product from './actions/product';
import { GUARDED_OPERATIONS, GUARDED_RESOURCES, LIST_RESOURCES, router } from './actions/router';
import { allowGoodsAndMoneyField, simplifyField } from '../shared/common/aiTool';
import { listSearch } from './methods';

export class DingShangVending implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Vending',
		name: 'dingShangVending',
		icon: { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' },
		group: ['transform'],
		// 1.1: named outputs (Route by Outcome); 1.2: machine, product and channel picked from lists.
		version: [1, 1.1, 1.2],
		defaultVersion: 1.2,
		// The operations' names as the form shows them ("Dispense", not the value "put").
		subtitle:
			'={{ ({ put: "Dispense", get: "Get", create: "Create", update: "Update", getAll: "Get Many", delete: "Delete", consume: "Consume", test: "Test Dispense" })[$parameter["operation"]] + ": " + ({ order: "Order", delivery: "Delivery", pickupCode: "Pickup Code", machine: "Machine", product: "Product", channel: "Channel", category: "Category" })[$parameter["resource"]] }}',
		description:
			'Control DingShang (鼎商云) vending machines: orders, dispensing, pickup codes, machines, stock and channels, with every result explained',
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
					{ name: 'Category', value: 'category', description: 'Product categories of a machine (分类)' },
					{ name: 'Channel', value: 'channel', description: 'The channels of a machine and their state: stuck, motor fault… (货道)' },
					{ name: 'Delivery', value: 'delivery', description: 'Dispensing the products of an order (出货)' },
					{ name: 'Machine', value: 'machine', description: 'Your vending machines: online, operating, model (设备)' },
					{ name: 'Order', value: 'order', description: 'A customer order on a machine (订单)' },
					{ name: 'Pickup Code', value: 'pickupCode', description: 'Codes a customer types to take a product (取货码)' },
					{ name: 'Product', value: 'product', description: 'The products of a machine with their stock (商品库存)' },
				],
				default: 'order',
			},
			...order.description,
			...delivery.description,
			...pickupCode.description,
			...machine.description,
			...product.description,
			...channel.description,
			...category.description,
			// Shown only on the AI-agent tool variant of this node.
			allowGoodsAndMoneyField({ resource: GUARDED_RESOURCES, operation: GUARDED_OPERATIONS }),
			simplifyField({ resource: LIST_RESOURCES, operation: ['getAll'] }),
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
