import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DingShangCredentials, RequestContext } from '../../../shared/transport';
import { dingShangRead } from '../../../shared/transport';
import { machineNoField } from '../common.descriptions';
import { returnAllFields, wanted } from '../getMany';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { asText, invalid } from '../../../shared/common/input';
import { integerInRange, machineNo, positiveId } from '../validate';

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

export interface ProductFilters {
	category_id?: string;
	cabinet_name?: string;
	addr?: string;
}

const PER_PAGE = 50;

/**
 * One product row as output: the platform's row plus `product_id` (the row's `id`: the id orders
 * and pickup codes use), `good_id` (the catalogue item), `product_name`, `channel_name`.
 */
function productItem(machine: string, row: IDataObject): IDataObject {
	const good = (row.good ?? {}) as IDataObject;
	const channel = (row.channel ?? {}) as IDataObject;
	return {
		machine_no: machine,
		product_id: row.id ?? null,
		good_id: good.id ?? null,
		product_name: good.name ?? null,
		channel_name: channel.name ?? null,
		current_inventory: Number(row.current_inventory ?? 0),
		inventory: Number(row.inventory ?? 0),
		...row,
	};
}

/**
 * `POST /products` page by page (`page` from 1) until `limit` rows or the last page. An empty
 * result is `data: []` — the list itself instead of the paged object (a documented quirk).
 */
export async function listProducts(ctx: RequestContext, creds: DingShangCredentials, machine: string, filters: ProductFilters, limit: number): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	for (let page = 1; rows.length < limit && page <= 1000; page++) {
		const answer = await dingShangRead(ctx, creds, {
			method: 'POST',
			path: '/products',
			signed: { machine_no: machine, page: String(page), per_page: String(PER_PAGE), category_id: filters.category_id ?? '0', ...filters },
		});
		const data = answer.data as { data?: IDataObject[]; last_page?: number; current_page?: number } | IDataObject[] | undefined;
		if (!data || Array.isArray(data)) break;
		rows.push(...(data.data ?? []).map((row) => productItem(machine, row)));
		if ((data.data ?? []).length === 0 || page >= Number(data.last_page ?? page)) break;
	}
	return rows.slice(0, limit);
}

export function productFilters(ctx: IExecuteFunctions, i: number): ProductFilters {
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
