import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['category'] } },
		options: [{ name: 'Get Many', value: 'getAll', description: "List a machine's product categories", action: 'Get many categories' }],
		default: 'getAll',
	},
	...getAll.description,
];
