import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as get from './get.operation';
import * as update from './update.operation';

export { create, get, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['order'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create an unpaid order on a machine (reserves stock; expires after 20 unpaid minutes)',
				action: 'Create an order',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get an order with its records and their dispense status',
				action: 'Get an order',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Set the order status, e.g. Paid after payment or Refund after a failed dispense',
				action: 'Update an order status',
			},
		],
		default: 'update',
	},
	...update.description,
	...get.description,
	...create.description,
];
