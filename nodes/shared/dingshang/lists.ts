import type { IDataObject } from 'n8n-workflow';

import { FLOOR_STATUS } from './protocol';
import type { DingShangCredentials, RequestContext } from './transport';
import { dingShangRead } from './transport';

/** The platform's lists (machines, products, channels, categories, pickup codes) as items, for the operations, the form's lists and the Alerts trigger. */

/** The platform's list answer as an array: protobuf JSON leaves an empty list out entirely. */
export function asList<T = Record<string, unknown>>(data: unknown): T[] {
	return Array.isArray(data) ? (data as T[]) : [];
}

/**
 * `POST /rent/machines` (headers only, nothing signed): every machine of the account. Protobuf
 * JSON leaves `false` out, so `is_online` and `status` (operating) are filled in as booleans.
 */
export async function listMachines(ctx: RequestContext, creds: DingShangCredentials): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: '/rent/machines' });
	return asList<IDataObject>(answer.data).map((m) => ({ ...m, is_online: m.is_online === true, status: m.status === true }));
}

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

/**
 * `POST /floors`: one item per channel with its status explained in English and 中文 (the same
 * `floor_status` / `channelStatus` / `channelStatusZh` as a delivery result), stock and product
 * (`good_id`: the catalogue item; `/floors` does not give the machine's product id).
 */
export async function listChannels(ctx: RequestContext, creds: DingShangCredentials, machine: string): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: '/floors', signed: { machine_no: machine } });
	return asList<IDataObject>(answer.data).map((row) => {
		const good = (row.good ?? {}) as IDataObject;
		const channel = (row.channel ?? {}) as IDataObject;
		// The docs name it either way; absent means unknown, never "normal".
		const floorStatus = row.floor_status ?? row.status;
		const status = floorStatus === undefined ? undefined : FLOOR_STATUS[String(floorStatus)];
		return {
			machine_no: machine,
			channel_name: channel.name ?? null,
			floor_status: floorStatus === undefined ? null : String(floorStatus),
			channelStatus: status?.en ?? null,
			channelStatusZh: status?.zh ?? null,
			fault: floorStatus !== undefined && String(floorStatus) !== '1',
			current_inventory: Number(row.current_inventory ?? 0),
			inventory: Number(row.inventory ?? 0),
			good_id: good.id ?? null,
			product_name: good.name ?? null,
			...row,
		};
	});
}

/** `POST /categories`: `{id, title, sort_id, is_visible}` per category (absent `is_visible` = false). */
export async function listCategories(ctx: RequestContext, creds: DingShangCredentials, machine: string): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: '/categories', signed: { machine_no: machine } });
	return asList<IDataObject>(answer.data).map((c) => ({ machine_no: machine, ...c, is_visible: c.is_visible === true }));
}

/** `POST /products/{product_id}/pickup_code`: the product's unused, unexpired codes. */
export async function listCodes(ctx: RequestContext, creds: DingShangCredentials, machine: string, productId: string): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: `/products/${productId}/pickup_code`, signed: { machine_no: machine } });
	return asList<IDataObject>(answer.data).map((code) => ({ machine_no: machine, product_id: Number(productId), ...code }));
}
