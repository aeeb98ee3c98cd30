import { FLOOR_STATUSES, type FloorStatus, type Machine } from './model';
import type { SandboxState } from './state';

/** Admin routes for the "More of the Open API" data: online state, channels, the pickup-code switch. */

interface Answer {
	status: number;
	json: unknown;
}

const bad = (error: string): Answer => ({ status: 400, json: { error } });
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function machineOf(state: SandboxState, machineNo: unknown): Machine | Answer {
	const machine = typeof machineNo === 'string' ? state.machines.get(machineNo) : undefined;
	return machine ?? { status: 404, json: { error: `no machine ${String(machineNo)}` } };
}

/** Answers the routes below, or undefined when the route is not one of them. */
export function handleMoreAdmin(state: SandboxState, method: string, path: string, input: unknown): Answer | undefined {
	const body = (input ?? {}) as Record<string, unknown>;
	const online = /^\/__sandbox\/machines\/(\d+)\/online$/.exec(path);
	if (method === 'POST' && online) {
		const machine = machineOf(state, online[1]);
		if (!('machine_no' in machine)) return machine;
		if (typeof body.online !== 'boolean') return bad('online must be true or false');
		machine.online = body.online;
		return { status: 200, json: { machine_no: machine.machine_no, online: machine.online } };
	}
	const removed = /^\/__sandbox\/machines\/(\d+)$/.exec(path);
	if (method === 'DELETE' && removed) {
		// Lets a test empty the merchant (POST /rent/machines → 30001); reset brings the seed back.
		const deleted = state.machines.delete(removed[1]);
		return deleted ? { status: 200, json: { deleted: true } } : { status: 404, json: { error: 'no such machine' } };
	}
	if (method === 'POST' && path === '/__sandbox/channels') return setChannel(state, body);
	if (method === 'POST' && path === '/__sandbox/pickup-switch') {
		const machine = machineOf(state, body.machine_no);
		if (!('machine_no' in machine)) return machine;
		if (typeof body.enabled !== 'boolean') return bad('enabled must be true or false');
		machine.pickupEnabled = body.enabled;
		return { status: 200, json: { machine_no: machine.machine_no, pickup_enabled: machine.pickupEnabled } };
	}
	return undefined;
}

/** `{machine_no, channel, floor_status?, stock?, capacity?}`: all checked before anything changes. */
function setChannel(state: SandboxState, body: Record<string, unknown>): Answer {
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
