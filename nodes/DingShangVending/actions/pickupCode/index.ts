import type { INodeProperties } from 'n8n-workflow';

import * as consume from './consume.operation';
import * as create from './create.operation';
import * as deleteCodes from './delete.operation';
import * as getAll from './getAll.operation';

export { consume, create, deleteCodes as delete, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['pickupCode'] } },
		options: [
			{
				name: 'Consume',
				value: 'consume',
				description: 'Redeem a code a customer typed: creates the pickup-code order to dispense next (safe to repeat)',
				action: 'Consume a pickup code',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Create pickup codes for one product (or every product) of a machine',
				action: 'Create pickup codes',
			},
			{ name: 'Delete', value: 'delete', description: 'Cancel one pickup code, or all of a machine', action: 'Delete pickup codes' },
			{ name: 'Get Many', value: 'getAll', description: "List a product's unused pickup codes", action: 'Get many pickup codes' },
		],
		default: 'consume',
	},
	...consume.description,
	...create.description,
	...deleteCodes.description,
	...getAll.description,
];
