import { DELIVERY_METHOD } from '../nodes/shared/protocol';
import type { ApiContext, Route } from './api';
import { categories, floors, listMachines, machineDetail, products } from './catalog';
import { ApiError, invalidParams } from './envelope';
import type { Machine } from './model';
import { optionalText, readMachineNo, readNotifyUrl, requireMethod } from './params';
import { consumeCode, createCodes, deleteCodes, listCodes } from './pickupCodes';

/** The "More of the Open API" endpoints of PROTOCOL.md: routes and dispatch (logic in catalog / pickupCodes / dispense). */

export type MoreKind =
	| 'listMachines'
	| 'getMachine'
	| 'floors'
	| 'products'
	| 'categories'
	| 'createCodes'
	| 'listCodes'
	| 'deleteCodes'
	| 'consume'
	| 'debugDelivery';

export const MORE_ROUTES: Array<Route & { kind: MoreKind }> = [
	{ method: 'POST', pattern: /^\/rent\/machines$/, key: 'POST /rent/machines', kind: 'listMachines' },
	{ method: 'POST', pattern: /^\/rent\/machines\/([^/]+)$/, key: 'POST /rent/machines/{machine_no}', kind: 'getMachine' },
	{ method: 'POST', pattern: /^\/floors$/, key: 'POST /floors', kind: 'floors' },
	{ method: 'POST', pattern: /^\/products$/, key: 'POST /products', kind: 'products' },
	{ method: 'POST', pattern: /^\/categories$/, key: 'POST /categories', kind: 'categories' },
	{ method: 'POST', pattern: /^\/pickup_codes$/, key: 'POST /pickup_codes', kind: 'createCodes' },
	{ method: 'PUT', pattern: /^\/pickup_codes$/, key: 'PUT /pickup_codes', kind: 'deleteCodes' },
	{ method: 'POST', pattern: /^\/products\/([^/]+)\/pickup_code$/, key: 'POST /products/{product_id}/pickup_code', kind: 'listCodes' },
	{ method: 'POST', pattern: /^\/consumes$/, key: 'POST /consumes', kind: 'consume' },
	{ method: 'POST', pattern: /^\/deliveries\/debug$/, key: 'POST /deliveries/debug', kind: 'debugDelivery' },
];

/** The two rent/machines pages: headers only, no payload, no machine_no to sign. */
export function runMachineRoute(ctx: ApiContext, kind: 'listMachines' | 'getMachine', param?: string): unknown {
	return kind === 'listMachines' ? listMachines(ctx.state) : machineDetail(ctx.state, readMachineNo(param));
}

export function runMoreSigned(ctx: ApiContext, kind: string, machine: Machine, params: Record<string, unknown>, param?: string): unknown {
	const { state, dispenser } = ctx;
	switch (kind as MoreKind) {
		case 'floors':
			return floors(machine);
		case 'products':
			return products(state, machine, params);
		case 'categories':
			return categories(state);
		case 'createCodes':
			return createCodes(state, machine, params);
		case 'listCodes':
			return listCodes(state, machine, param);
		case 'deleteCodes':
			return deleteCodes(state, machine, params);
		case 'consume':
			// The answer is the new order exactly as get order shows it.
			return state.viewOrder(consumeCode(state, machine, params));
		case 'debugDelivery': {
			requireMethod(params.method, [DELIVERY_METHOD]);
			const channel = optionalText(params.channel_name);
			if (channel === undefined) throw invalidParams('channel_name is required');
			if (!/^[A-Z]\d{1,3}$/.test(channel)) throw invalidParams('channel_name must look like "A1"');
			return dispenser.view(dispenser.debug(machine, channel, readNotifyUrl(params.notify_url)), true);
		}
		default:
			throw new ApiError(1000, `unhandled route ${kind}`, 500);
	}
}
