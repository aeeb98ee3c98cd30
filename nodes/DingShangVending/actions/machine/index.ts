import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { get, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['machine'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get one machine: model, cabinets, type, categories', action: 'Get a machine' },
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List your machines: online or offline, operating, address, last notice',
				action: 'Get many machines',
			},
		],
		default: 'getAll',
	},
	...get.description,
	...getAll.description,
];
