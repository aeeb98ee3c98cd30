import { consumeCode, createCodes, deleteCodes, listCodes } from './pickupCodes';
import type { ApiRoute } from './routeTypes';

/** Create, list and delete pickup codes, and consume one (the rules themselves live in pickupCodes.ts). */

export const PICKUP_CODE_ROUTES: ApiRoute[] = [
	{ method: 'POST', pattern: /^\/pickup_codes$/, key: 'POST /pickup_codes', input: 'signed', handler: ({ state }, { machine, params }) => createCodes(state, machine, params) },
	{ method: 'PUT', pattern: /^\/pickup_codes$/, key: 'PUT /pickup_codes', input: 'signed', handler: ({ state }, { machine, params }) => deleteCodes(state, machine, params) },
	{
		method: 'POST',
		pattern: /^\/products\/([^/]+)\/pickup_code$/,
		key: 'POST /products/{product_id}/pickup_code',
		input: 'signed',
		handler: ({ state }, { machine, param }) => listCodes(state, machine, param),
	},
	{
		method: 'POST',
		pattern: /^\/consumes$/,
		key: 'POST /consumes',
		input: 'signed',
		// The answer is the new order exactly as get order shows it.
		handler: ({ state }, { machine, params }) => state.viewOrder(consumeCode(state, machine, params)),
	},
];
