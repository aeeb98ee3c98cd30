import { isEmptyValue } from '../nodes/shared/dingshang/signing';
import { ApiError, invalidParams } from './envelope';
import type { NewOrder } from './model';
import { fieldText, positiveInt, readMachineNo, readNotifyUrl, readTradeId } from './params';
import type { ApiRoute } from './routeTypes';

/** Create, get and update an order (the order rules themselves live in state.ts). */

export const ORDER_ROUTES: ApiRoute[] = [
	{
		method: 'POST',
		pattern: /^\/orders$/,
		key: 'POST /orders',
		// Plain JSON, not signed: the vendor's create-order call carries no payload.
		input: 'json',
		handler: ({ state }, body) => ({ order_id: state.createOrder(readNewOrder(body)).order_id }),
	},
	{
		method: 'POST',
		pattern: /^\/orders\/([^/]+)$/,
		key: 'POST /orders/{order_id}',
		input: 'signed',
		handler: ({ state }, { machine, param }) => state.viewOrder(state.findOrder(machine, positiveInt(param, 'order_id'))),
	},
	{
		method: 'PUT',
		pattern: /^\/orders\/([^/]+)$/,
		key: 'PUT /orders/{order_id}',
		input: 'signed',
		handler: ({ state }, { machine, params, param }) => {
			state.updateOrder(machine, positiveInt(param, 'order_id'), readOrderStatus(params.status));
			return '';
		},
	},
];

function readOrderStatus(value: unknown): number {
	if (isEmptyValue(value)) throw invalidParams('status is required');
	const text = fieldText(value);
	if (!/^[1-6]$/.test(text)) throw new ApiError(6043, 'order status invalid');
	return Number(text);
}

function readNewOrder(body: Record<string, unknown>): NewOrder {
	const machine_no = readMachineNo(body.machine_no);
	const trade_id = readTradeId(body.trade_id, 4003);
	const notify_url = readNotifyUrl(body.notify_url);
	if (!Array.isArray(body.products) || body.products.length === 0) {
		throw invalidParams('products must be a non-empty array of {product_id, quantity}');
	}
	const products = body.products.map((line: unknown, index: number) => {
		if (!line || typeof line !== 'object') throw invalidParams(`products[${index}] must be an object`);
		const item = line as Record<string, unknown>;
		const quantity = positiveInt(item.quantity, `products[${index}].quantity`);
		if (quantity > 999) throw invalidParams(`products[${index}].quantity must be at most 999`);
		return { product_id: positiveInt(item.product_id, `products[${index}].product_id`), quantity };
	});
	return { machine_no, trade_id, notify_url, products };
}
