import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['product'] } },
		options: [
			{ name: 'Get Many', value: 'getAll', description: 'List the products of a machine with their stock and channel', action: 'Get many products' },
		],
		default: 'getAll',
	},
	...getAll.description,
];
