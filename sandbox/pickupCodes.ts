import { randomInt } from 'crypto';
import { isEmptyValue } from '../nodes/shared/dingshang/signing';
import { formatDateTime, parseChinaDateTime } from './clock';
import { ApiError, invalidParams } from './envelope';
import type { Machine, Order, PickupCode, Product } from './model';
import { fieldText, intInRange, positiveInt, readNotifyUrl, readTradeId, requireMethod } from './params';
import type { SandboxState } from './state';

/** Pickup codes (取货码): create, list, cancel, and consume one into a PICKUPCODE order. */

export const PICKUP_METHODS = {
	product: 'pickup_code.product.id',
	all: 'pickup_code.product.all',
	deleteId: 'pickup_code.delete.id',
	deleteAll: 'pickup_code.delete.all',
	consume: 'event.consume.pickup_code',
} as const;

/** The docs' message for 10025, answered with `data.order_id`. */
export const CODE_USED_MESSAGE = '取货码已使用';
const MAX_COUNT = 100;

export type CodeStatus = 'UNUSED' | 'USED' | 'EXPIRED';

export function codeStatus(state: SandboxState, code: PickupCode): CodeStatus {
	if (code.used) return 'USED';
	return code.expires_at !== undefined && code.expires_at <= state.deps.clock.now() ? 'EXPIRED' : 'UNUSED';
}

function requireSwitchOn(machine: Machine): void {
	if (!machine.pickupEnabled) throw new ApiError(6031, 'pickup-code function not enabled');
}

function productOf(machine: Machine, productId: number): Product {
	const product = machine.products.find((p) => p.product_id === productId);
	if (!product) throw new ApiError(6045, `product not found: ${productId}`);
	return product;
}

/** A random code of `length` digits (no leading 0, so it survives a client's number conversion), unique per machine. */
function newCode(state: SandboxState, machine: Machine, length: number): string {
	const taken = new Set([...state.pickupCodes.values()].filter((c) => c.machine_no === machine.machine_no).map((c) => c.code));
	for (;;) {
		let code = String(randomInt(1, 10));
		while (code.length < length) code += String(randomInt(0, 10));
		if (!taken.has(code)) return code;
	}
}

/** POST /pickup_codes: codes for one product or for every product; answers `{}`. */
export function createCodes(state: SandboxState, machine: Machine, params: Record<string, unknown>): Record<string, never> {
	const method = requireMethod(params.method, [PICKUP_METHODS.product, PICKUP_METHODS.all]);
	requireSwitchOn(machine);
	const now = state.deps.clock.now();
	let expiresAt: number | undefined;
	if (!isEmptyValue(params.expired_at)) {
		expiresAt = parseChinaDateTime(String(params.expired_at));
		if (expiresAt === undefined) throw new ApiError(6029, 'expired_at invalid: expected "YYYY-MM-DD HH:mm:ss" (China time)');
		if (expiresAt <= now) throw new ApiError(6029, 'expired_at invalid: it is in the past');
	}
	const length = intInRange(params.code_length, 'code_length', 6, 10, 6);
	const count = intInRange(params.count, 'count', 1, MAX_COUNT, 1);
	const products = method === PICKUP_METHODS.product ? [productOf(machine, positiveInt(params.product_id, 'product_id'))] : machine.products;
	for (const product of products) {
		for (let i = 0; i < count; i++) {
			const id = state.nextPickupCodeId++;
			// `quantity` of the request is ignored (docs): every code is worth one item.
			const code = newCode(state, machine, length);
			state.pickupCodes.set(id, { id, machine_no: machine.machine_no, product_id: product.product_id, code, used: false, created_at: now, expires_at: expiresAt, quantity: 1 });
		}
	}
	return {};
}

/** POST /products/{product_id}/pickup_code: the product's unused, unexpired codes. */
export function listCodes(state: SandboxState, machine: Machine, productParam: string | undefined): unknown[] {
	const product = productOf(machine, positiveInt(productParam, 'product_id'));
	return [...state.pickupCodes.values()]
		.filter((c) => c.machine_no === machine.machine_no && c.product_id === product.product_id && codeStatus(state, c) === 'UNUSED')
		.map((c) => ({
			id: c.id,
			code: c.code,
			status: 'UNUSED',
			created_at: formatDateTime(c.created_at),
			expired_at: c.expires_at === undefined ? undefined : formatDateTime(c.expires_at),
			quantity: c.quantity,
		}));
}

/** PUT /pickup_codes: cancel one code (unknown → 80002, used → 6033) or every unused code of the machine. */
export function deleteCodes(state: SandboxState, machine: Machine, params: Record<string, unknown>): Record<string, never> {
	const method = requireMethod(params.method, [PICKUP_METHODS.deleteId, PICKUP_METHODS.deleteAll]);
	if (method === PICKUP_METHODS.deleteAll) {
		// Used codes stay: they are the record of the orders they made (10025 still names them).
		for (const c of [...state.pickupCodes.values()]) if (c.machine_no === machine.machine_no && !c.used) state.pickupCodes.delete(c.id);
		return {};
	}
	const code = state.pickupCodes.get(positiveInt(params.id, 'id'));
	if (!code || code.machine_no !== machine.machine_no) throw new ApiError(80002, 'pickup code not found');
	if (code.used) throw new ApiError(6033, 'pickup code used');
	state.pickupCodes.delete(code.id);
	return {};
}

/**
 * POST /consumes: a customer typed a code. The code is checked before trade_id uniqueness, so a
 * client retrying after a lost answer gets 10025 with the order id it created, not a bare 6040.
 */
export function consumeCode(state: SandboxState, machine: Machine, params: Record<string, unknown>): Order {
	requireMethod(params.method, [PICKUP_METHODS.consume]);
	requireSwitchOn(machine);
	if (isEmptyValue(params.code)) throw invalidParams('code is required');
	const product = productOf(machine, positiveInt(params.product_id, 'product_id'));
	const tradeId = readTradeId(params.trade_id);
	const notifyUrl = readNotifyUrl(params.notify_url);
	const typed = fieldText(params.code);
	const code = [...state.pickupCodes.values()].find((c) => c.machine_no === machine.machine_no && c.product_id === product.product_id && c.code === typed);
	if (!code) throw new ApiError(4004, 'pickup code not found');
	// The documented quirk: an error envelope whose data names the order the code already made.
	if (code.used) throw new ApiError(10025, CODE_USED_MESSAGE, 200, { order_id: code.order_id });
	if (codeStatus(state, code) === 'EXPIRED') throw new ApiError(6032, 'pickup code expired');
	if (state.tradeIdTaken(tradeId)) throw new ApiError(6040, 'trade_id already exists');
	const lines = [{ product_id: product.product_id, quantity: code.quantity }];
	state.checkStock(machine, lines);
	const order = state.insertOrder(machine, { machine_no: machine.machine_no, trade_id: tradeId, notify_url: notifyUrl, products: lines }, 'PICKUPCODE', code.id);
	code.used = true;
	code.order_id = order.order_id;
	return order;
}

/** The pickup-code part of GET /__sandbox/state (every code, with its computed status). */
export function codesSnapshot(state: SandboxState): unknown[] {
	return [...state.pickupCodes.values()].map((c) => ({
		id: c.id,
		machine_no: c.machine_no,
		product_id: c.product_id,
		code: c.code,
		status: codeStatus(state, c),
		quantity: c.quantity,
		created_at: formatDateTime(c.created_at),
		expired_at: c.expires_at === undefined ? undefined : formatDateTime(c.expires_at),
		order_id: c.order_id,
	}));
}
