import { MACHINE_NO_PATTERN } from '../nodes/shared/dingshang/protocol';
import { ApiError } from './envelope';
import { DWELL_SECONDS, FLOOR_STATUSES, newMachine, type FloorStatus, type Machine, type MachineType } from './model';
import { codesSnapshot, createCodes, PICKUP_METHODS } from './pickupCodes';
import type { AdminAnswer, AdminRoute } from './routeTypes';
import type { SandboxState } from './state';

/** Admin routes that shape the machines: add or remove one, its online state, a channel, the pickup-code switch, a pickup code. */

const bad = (error: string): AdminAnswer => ({ status: 400, json: { error } });
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const fields = (input: unknown): Record<string, unknown> => (input ?? {}) as Record<string, unknown>;

function machineOf(state: SandboxState, machineNo: unknown): Machine | AdminAnswer {
	const machine = typeof machineNo === 'string' ? state.machines.get(machineNo) : undefined;
	return machine ?? { status: 404, json: { error: `no machine ${String(machineNo)}` } };
}

export const MACHINE_ADMIN_ROUTES: AdminRoute[] = [
	// Adds (or replaces) a machine with the seed products, e.g. for many-machine runs.
	{ method: 'POST', pattern: /^\/__sandbox\/machines$/, handler: ({ state }, input) => addMachine(state, fields(input)) },
	{
		method: 'POST',
		pattern: /^\/__sandbox\/machines\/(\d+)\/online$/,
		handler: ({ state }, input, match) => {
			const machine = machineOf(state, match[1]);
			if (!('machine_no' in machine)) return machine;
			const { online } = fields(input);
			if (typeof online !== 'boolean') return bad('online must be true or false');
			machine.online = online;
			return { status: 200, json: { machine_no: machine.machine_no, online: machine.online } };
		},
	},
	{
		method: 'DELETE',
		pattern: /^\/__sandbox\/machines\/(\d+)$/,
		// Lets a test empty the merchant (POST /rent/machines → 30001); reset brings the seed back.
		handler: ({ state }, _input, match) => (state.machines.delete(match[1]) ? { status: 200, json: { deleted: true } } : { status: 404, json: { error: 'no such machine' } }),
	},
	{ method: 'POST', pattern: /^\/__sandbox\/channels$/, handler: ({ state }, input) => setChannel(state, fields(input)) },
	{
		method: 'POST',
		pattern: /^\/__sandbox\/pickup-switch$/,
		handler: ({ state }, input) => {
			const body = fields(input);
			const machine = machineOf(state, body.machine_no);
			if (!('machine_no' in machine)) return machine;
			if (typeof body.enabled !== 'boolean') return bad('enabled must be true or false');
			machine.pickupEnabled = body.enabled;
			return { status: 200, json: { machine_no: machine.machine_no, pickup_enabled: machine.pickupEnabled } };
		},
	},
	// The sandbox page's "add a pickup code": the signed API's create, without a client to sign it.
	{ method: 'POST', pattern: /^\/__sandbox\/pickup-codes$/, handler: ({ state }, input) => addPickupCode(state, fields(input)) },
];

/** `{machine_no, product_id}`: one 6-digit code, as POST /pickup_codes makes it; answers the new code. */
function addPickupCode(state: SandboxState, body: Record<string, unknown>): AdminAnswer {
	const machine = machineOf(state, body.machine_no);
	if (!('machine_no' in machine)) return machine;
	const firstId = state.nextPickupCodeId;
	try {
		createCodes(state, machine, { method: PICKUP_METHODS.product, product_id: body.product_id });
	} catch (error) {
		if (error instanceof ApiError) return bad(`${error.code} ${error.message}`);
		throw error;
	}
	const codes = codesSnapshot(state).filter((c) => (c as { id: number }).id >= firstId);
	return { status: 200, json: { codes } };
}

function addMachine(state: SandboxState, body: Record<string, unknown>): AdminAnswer {
	const { machine_no, type, online, stock, products } = body;
	if (typeof machine_no !== 'string' || !MACHINE_NO_PATTERN.test(machine_no)) return bad('machine_no must be a string of at least 8 digits');
	if (typeof type !== 'string' || !(type in DWELL_SECONDS)) return bad(`type must be one of ${Object.keys(DWELL_SECONDS).join(', ')}`);
	if (stock !== undefined && !isCount(stock)) return bad('stock must be an integer ≥ 0');
	if (products !== undefined && !(Number.isInteger(products) && (products as number) >= 1 && (products as number) <= 260)) {
		return bad('products must be an integer from 1 to 260');
	}
	const machine = newMachine(machine_no, type as MachineType, online !== false, stock as number | undefined, products as number | undefined);
	state.machines.set(machine_no, machine);
	return { status: 200, json: { machine_no, type, dwell_seconds: machine.dwell_seconds, online: machine.online } };
}

/** `{machine_no, channel, floor_status?, stock?, capacity?}`: all checked before anything changes. */
function setChannel(state: SandboxState, body: Record<string, unknown>): AdminAnswer {
	const machine = machineOf(state, body.machine_no);
	if (!('machine_no' in machine)) return machine;
	const product = machine.products.find((p) => p.channel === body.channel);
	if (!product) return { status: 404, json: { error: `no channel ${String(body.channel)} on ${machine.machine_no}` } };
	const floor = body.floor_status === undefined ? undefined : String(body.floor_status);
	if (floor !== undefined && !FLOOR_STATUSES.includes(floor as FloorStatus)) return bad(`floor_status must be one of ${FLOOR_STATUSES.join(', ')}`);
	if (body.stock !== undefined && !isCount(body.stock)) return bad('stock must be an integer ≥ 0');
	if (body.capacity !== undefined && !isCount(body.capacity)) return bad('capacity must be an integer ≥ 0');
	if (floor !== undefined) product.floor_status = floor as FloorStatus;
	if (isCount(body.stock)) product.stock = body.stock;
	if (isCount(body.capacity)) product.capacity = body.capacity;
	const { channel, floor_status, stock, capacity, product_id } = product;
	return { status: 200, json: { machine_no: machine.machine_no, channel, product_id, floor_status, stock, capacity } };
}
