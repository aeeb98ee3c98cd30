import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { asText, invalid } from '../../../shared/common/input';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { listProducts, type ProductFilters } from '../../../shared/dingshang/lists';
import { machineNoField } from '../common.descriptions';
import { returnAllFields, wanted } from '../getMany';
import type { Operation } from '../resource';
import { integerInRange, machineNo, positiveId } from '../validate';

export const option: Operation['option'] = { name: 'Get Many', description: 'List the products of a machine with their stock and channel', action: 'Get many products' };

export const description: INodeProperties[] = [
	...machineNoField('product', ['getAll']),
	...returnAllFields('product'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { resource: ['product'], operation: ['getAll'] } },
		options: [
			{ displayName: 'Category ID', name: 'categoryId', type: 'string', default: '', description: 'Only this category (see Get Many Categories)', hint: 'Only this category; Get Many Categories lists them' },
			{ displayName: 'Cabinet', name: 'cabinetName', type: 'string', default: '', placeholder: 'A', description: 'Only this cabinet (a letter A–Z)', hint: 'Only this cabinet, a letter A–Z' },
			{
				displayName: 'Board Address',
				hint: 'Only this driver board, 1–8',
				name: 'boardAddress',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 8 },
				default: 1,
				description: 'Only channels on this driver board (1–8); not together with Cabinet',
			},
		],
	},
];

function productFilters(ctx: IExecuteFunctions, i: number): ProductFilters {
	const f = ctx.getNodeParameter('filters', i, {}) as IDataObject;
	const filters: ProductFilters = {};
	if (asText(f.categoryId) !== '') filters.category_id = positiveId('Filters › Category ID', f.categoryId);
	if (asText(f.cabinetName) !== '') {
		const cabinet = asText(f.cabinetName).toUpperCase();
		if (!/^[A-Z]$/.test(cabinet)) throw invalid('Filters › Cabinet', f.cabinetName, 'expected one letter A–Z');
		filters.cabinet_name = cabinet;
	}
	if (f.boardAddress !== undefined) {
		if (filters.cabinet_name) throw invalid('Filters › Board Address', f.boardAddress, 'use either Cabinet or Board Address, not both');
		filters.addr = String(integerInRange('Filters › Board Address', f.boardAddress, 1, 8));
	}
	return filters;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ machineNo: machineNo(param('machineNo', i, '', { extractValue: true })), filters: productFilters(this, i), limit: wanted(this, i) }),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => await listProducts(this, creds, input.machineNo, input.filters, input.limit),
	});
}
