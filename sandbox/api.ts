import { timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import { DELIVERY_METHOD } from '../nodes/shared/protocol';
import { decodePayload, isEmptyValue, matchingSignStyle, signStylesDiffer, type SignStyle } from '../nodes/shared/signing';
import type { VirtualClock } from './clock';
import { ApiError, fromError, invalidParams, ok, type ApiAnswer } from './envelope';
import type { Dispenser } from './dispense';
import type { Machine, NewOrder } from './model';
import { MORE_ROUTES, runMachineRoute, runMoreSigned, type MoreKind } from './openapi';
import { fieldText, positiveInt, readMachineNo, readNotifyUrl, readTradeId } from './params';
import type { SandboxState } from './state';

/** The Open API endpoints: header checks, body and payload checks, then the state's rules. */

/**
 * Which canonical form of the sign the sandbox accepts (PROTOCOL.md, Signing step 4): the real
 * platform's rule is not documented, so the sandbox can play either platform, or both (default).
 */
export type SandboxSignStyle = SignStyle | 'either';
export const SANDBOX_SIGN_STYLES: readonly SandboxSignStyle[] = ['either', 'plain', 'go'];

export interface ApiConfig {
	appId: string;
	appSecret: string;
	signKey: string;
	signStyle: SandboxSignStyle;
	maxSkewSeconds?: number;
}

/** How a signed request's sign was read: in one form (the forms differ), `same` (they agree), or `refused` (4006). */
export type SignedAs = SignStyle | 'same' | 'refused';

export interface ApiContext {
	config: ApiConfig;
	state: SandboxState;
	dispenser: Dispenser;
	clock: VirtualClock;
}

export interface ApiRequest {
	headers: IncomingHttpHeaders;
	body: Buffer;
	tooLarge: boolean;
	/** Path parameter ({order_id} or {delivery_id}), when the route has one. */
	param?: string;
}

export interface ApiResult {
	answer: ApiAnswer;
	/** What the request carried, for the log (sign masked). */
	detail?: string;
	/** The signed payload's fields once its sign was verified (sign left out), for onApiRequest. */
	params?: Record<string, unknown>;
	signedAs?: SignedAs;
}

type Kind = 'ping' | 'createOrder' | 'getOrder' | 'updateOrder' | 'putDelivery' | 'getDelivery' | MoreKind;

export interface Route {
	method: string;
	pattern: RegExp;
	key: string;
	kind: Kind;
}

const ROUTES: Route[] = [
	// First: /deliveries/debug must win over /deliveries/{delivery_id}.
	...MORE_ROUTES,
	{ method: 'POST', pattern: /^\/ping$/, key: 'POST /ping', kind: 'ping' },
	{ method: 'POST', pattern: /^\/orders$/, key: 'POST /orders', kind: 'createOrder' },
	{ method: 'POST', pattern: /^\/orders\/([^/]+)$/, key: 'POST /orders/{order_id}', kind: 'getOrder' },
	{ method: 'PUT', pattern: /^\/orders\/([^/]+)$/, key: 'PUT /orders/{order_id}', kind: 'updateOrder' },
	{ method: 'POST', pattern: /^\/deliveries$/, key: 'POST /deliveries', kind: 'putDelivery' },
	{ method: 'POST', pattern: /^\/deliveries\/([^/]+)$/, key: 'POST /deliveries/{delivery_id}', kind: 'getDelivery' },
];

/** `subPath` is the path after API_PREFIX. */
export function matchRoute(method: string, subPath: string): { route: Route; param?: string } | undefined {
	for (const route of ROUTES) {
		const m = route.method === method ? route.pattern.exec(subPath) : null;
		if (m) return { route, param: m[1] === undefined ? undefined : safeDecode(m[1]) };
	}
	return undefined;
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

export function runApi(ctx: ApiContext, route: Route, req: ApiRequest): ApiResult {
	const result: ApiResult = { answer: ok('') };
	try {
		checkHeaders(ctx.config, req.headers);
		if (req.tooLarge) throw new ApiError(4003, 'body too large (limit 1 MB)', 413);
		if (route.kind === 'ping') return { answer: ok('pong') };
		if (route.kind === 'createOrder') {
			const body = parseJsonBody(req.body);
			result.detail = truncate(JSON.stringify(body));
			result.answer = ok({ order_id: ctx.state.createOrder(readNewOrder(body)).order_id });
			return result;
		}
		// The rent/machines pages take no payload at all: headers only.
		if (route.kind === 'listMachines' || route.kind === 'getMachine') return { answer: ok(runMachineRoute(ctx, route.kind, req.param)) };
		const params = readSignedPayload(ctx, req.body, result);
		const machine = ctx.state.machine(readMachineNo(params.machine_no));
		result.answer = ok(runSigned(ctx, route.kind, machine, params, req.param));
	} catch (error) {
		result.answer =
			error instanceof ApiError
				? fromError(error)
				: fromError(new ApiError(1000, `internal error: ${(error as Error)?.message ?? error}`, 500));
	}
	return result;
}

function runSigned(ctx: ApiContext, kind: Kind, machine: Machine, params: Record<string, unknown>, param?: string): unknown {
	const { state, dispenser } = ctx;
	switch (kind) {
		case 'getOrder':
			return state.viewOrder(state.findOrder(machine, positiveInt(param, 'order_id')));
		case 'updateOrder':
			state.updateOrder(machine, positiveInt(param, 'order_id'), readOrderStatus(params.status));
			return '';
		case 'putDelivery': {
			if (params.method !== DELIVERY_METHOD) throw new ApiError(6021, `method invalid: expected ${DELIVERY_METHOD}`);
			const orderId = positiveInt(params.order_id, 'order_id');
			const recordId = positiveInt(params.record_id, 'record_id');
			return dispenser.view(dispenser.put(machine, orderId, recordId), true);
		}
		case 'getDelivery':
			if (!param || !/^\d{1,20}$/.test(param)) throw invalidParams('delivery_id must be numeric');
			return dispenser.view(dispenser.find(machine, param), false);
		default:
			return runMoreSigned(ctx, kind, machine, params, param);
	}
}

function header(headers: IncomingHttpHeaders, name: string): string {
	const value = headers[name];
	return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

function sameSecret(given: string, expected: string): boolean {
	const a = Buffer.from(given, 'utf8');
	const b = Buffer.from(expected, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

function checkHeaders(config: ApiConfig, headers: IncomingHttpHeaders): void {
	const appId = header(headers, 'appid');
	const secret = header(headers, 'appsecret');
	if (!appId || !secret) throw new ApiError(10008, 'appid or appsecret is empty', 401);
	if (appId !== config.appId) throw new ApiError(10014, 'appid is invalid', 401);
	if (!sameSecret(secret, config.appSecret)) throw new ApiError(4009, 'app secret is invalid', 401);
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
	const text = body.toString('utf8').trim();
	if (text === '') throw invalidParams('body is empty, expected a JSON object');
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw invalidParams('body is not valid JSON');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParams('body must be a JSON object');
	return parsed as Record<string, unknown>;
}

/** `{"payload": "<base64>"}` → verified params; timestamp checked, machine_no left to the caller. */
function readSignedPayload(ctx: ApiContext, body: Buffer, result: ApiResult): Record<string, unknown> {
	const json = parseJsonBody(body);
	if (isEmptyValue(json.payload)) throw invalidParams('payload is missing, expected {"payload": "<base64>"}');
	let params: Record<string, unknown>;
	try {
		params = decodePayload(json.payload);
	} catch (error) {
		throw invalidParams((error as Error).message);
	}
	result.detail = truncate(JSON.stringify({ ...params, ...(params.sign === undefined ? {} : { sign: '***' }) }));
	const style = ctx.config.signStyle;
	const matched = matchingSignStyle(params, ctx.config.signKey, style === 'either' ? undefined : [style]);
	result.signedAs = matched === undefined ? 'refused' : signStylesDiffer(params) ? matched : 'same';
	if (matched === undefined) throw new ApiError(4006, 'sorry, payload sign invalid');
	const { sign: _sign, ...fields } = params;
	result.params = fields;
	readMachineNo(params.machine_no);
	const timestamp = params.timestamp;
	if (isEmptyValue(timestamp)) throw invalidParams('timestamp is required');
	if (!/^\d{1,12}$/.test(fieldText(timestamp))) throw invalidParams('timestamp must be Unix seconds');
	const skew = ctx.config.maxSkewSeconds;
	if (skew !== undefined && Math.abs(Number(timestamp) - ctx.clock.now() / 1000) > skew) {
		throw invalidParams(`timestamp is more than ${skew} s away from the server time`);
	}
	return params;
}

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

function truncate(text: string): string {
	return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
