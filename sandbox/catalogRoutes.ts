import { categories, floors, listMachines, machineDetail, products } from './catalog';
import { readMachineNo } from './params';
import type { ApiRoute } from './routeTypes';

/** Machines, floors, products and categories (the views themselves live in catalog.ts). */

export const CATALOG_ROUTES: ApiRoute[] = [
	// The two rent/machines pages take no payload at all: headers only, no machine_no to sign.
	{ method: 'POST', pattern: /^\/rent\/machines$/, key: 'POST /rent/machines', input: 'headers', handler: ({ state }) => listMachines(state) },
	{
		method: 'POST',
		pattern: /^\/rent\/machines\/([^/]+)$/,
		key: 'POST /rent/machines/{machine_no}',
		input: 'headers',
		handler: ({ state }, param) => machineDetail(state, readMachineNo(param)),
	},
	{ method: 'POST', pattern: /^\/floors$/, key: 'POST /floors', input: 'signed', handler: (_ctx, { machine }) => floors(machine) },
	{ method: 'POST', pattern: /^\/products$/, key: 'POST /products', input: 'signed', handler: ({ state }, { machine, params }) => products(state, machine, params) },
	{ method: 'POST', pattern: /^\/categories$/, key: 'POST /categories', input: 'signed', handler: ({ state }) => categories(state) },
];
