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
			{ name: 'Close', value: 'close', description: 'Close an unpaid order so it can no longer be paid', action: 'Close a payment' },
			{ name: 'Get', value: 'get', description: 'Look up a payment by Out Trade No or Transaction ID', action: 'Get a payment' },
		],
		default: 'get',
	},
	...get.description,
	...close.description,
];
