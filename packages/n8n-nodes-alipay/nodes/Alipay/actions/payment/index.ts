import type { INodeProperties } from 'n8n-workflow';

import * as close from './close.operation';
import * as get from './get.operation';

export { close, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['payment'] } },
		options: [
			{ name: 'Close', value: 'close', description: 'Close a trade the buyer has not paid, so it can no longer be paid', action: 'Close a payment' },
			{ name: 'Get', value: 'get', description: 'Look up a payment: paid, waiting, closed or not found', action: 'Get a payment' },
		],
		default: 'get',
	},
	...get.description,
	...close.description,
];
