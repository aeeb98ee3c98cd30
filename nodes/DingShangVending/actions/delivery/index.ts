import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as put from './put.operation';
import * as test from './test.operation';

export { get, put, test };

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
				description: 'Make the machine dispense the products of a paid or pickup-code order (出货), optionally waiting for the result',
				action: 'Dispense products of an order',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the state of one dispense by its delivery ID',
				action: 'Get a delivery',
			},
			{
				name: 'Test Dispense',
				value: 'test',
				description: 'Drop one product from a channel to test the machine (installers; the product really comes out)',
				action: 'Test dispense a channel',
			},
		],
		default: 'put',
	},
	...put.description,
	...get.description,
	...test.description,
];
