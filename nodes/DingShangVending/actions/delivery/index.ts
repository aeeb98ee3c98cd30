import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as put from './put.operation';

export { get, put };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['delivery'] } },
		options: [
			{
				name: 'Dispense',
				value: 'put', // the platform's name (device.delivery.put); saved workflows use it
				description: 'Make the machine dispense the products of a paid order (出货), optionally waiting for the result',
				action: 'Dispense products of an order',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the state of one dispense by its delivery ID',
				action: 'Get a delivery',
			},
		],
		default: 'put',
	},
	...put.description,
	...get.description,
];
