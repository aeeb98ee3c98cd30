import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { integerInRange } from './validate';

/** n8n's Return All / Limit pair, shown on one resource's Get Many. */
export function returnAllFields(resource: string): INodeProperties[] {
	const show = { resource: [resource], operation: ['getAll'] };
	return [
		{
			displayName: 'Return All',
			hint: 'On: every row, page by page',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			hint: 'How many rows at most',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

/** How many results the item asks for: Infinity with Return All. */
export function wanted(ctx: IExecuteFunctions, itemIndex: number): number {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return Infinity;
	return integerInRange('Limit', ctx.getNodeParameter('limit', itemIndex, 50), 1, 100_000);
}
