import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['channel'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: "List a machine's channels (货道): status explained (stuck, motor fault…), stock, capacity, product",
				action: 'Get many channels',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
