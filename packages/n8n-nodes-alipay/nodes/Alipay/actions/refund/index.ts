import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as get from './get.operation';

export { create, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['refund'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Give a payment\'s money back, once per Refund Key',
				action: 'Create a refund',
			},
			{ name: 'Get', value: 'get', description: 'Look up a refund by its Refund Key', action: 'Get a refund' },
		],
		default: 'create',
	},
	...create.description,
	...get.description,
];
