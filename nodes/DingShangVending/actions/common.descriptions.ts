import type { INodeProperties } from 'n8n-workflow';

/** Fields several operations share, defined once and shown per resource/operation. */

export function machineNoField(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Machine No',
		name: 'machineNo',
		type: 'string',
		required: true,
		default: '',
		placeholder: '10000001',
		description: 'The 8-digit number of the vending machine (设备编号), as shown in the DingShang dashboard',
		displayOptions: { show: { resource: [resource], operation: operations } },
	};
}

export function orderIdField(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Order ID',
		name: 'orderId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '60',
		description: 'The DingShang order ID (订单ID), returned when the order was created',
		displayOptions: { show: { resource: [resource], operation: operations } },
	};
}
