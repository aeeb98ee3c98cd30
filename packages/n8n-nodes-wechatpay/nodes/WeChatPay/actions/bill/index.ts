import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';

export { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bill'] } },
		options: [{ name: 'Get', value: 'get', description: 'Download a day\'s trade bill: one item per row, then the summary', action: 'Get a trade bill' }],
		default: 'get',
	},
	...get.description,
];
