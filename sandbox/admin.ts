import { MACHINE_NO_PATTERN } from '../nodes/shared/protocol';
import type { CallbackDispatcher } from './callbacks';
import { isoTime, type Scheduler, type VirtualClock } from './clock';
import type { FaultQueue } from './faults';
import type { RefundDesk } from './refunds';
import type { Dispenser } from './dispense';
import { handleMoreAdmin } from './adminMore';
import { DWELL_SECONDS, newMachine, type MachineType } from './model';
import { snapshot } from './snapshot';
import type { SandboxState } from './state';

/** Test-only control API under /__sandbox/ (plain JSON, no envelope, loopback clients only). */

export interface AdminContext {
	state: SandboxState;
	dispenser: Dispenser;
	clock: VirtualClock;
	scheduler: Scheduler;
	faults: FaultQueue;
	callbacks: CallbackDispatcher;
	requests: Record<string, number>;
	/** Signed requests by how their sign was read (plain / go where the forms differ, same, refused). */
	signatures: Record<string, number>;
	/** API requests being handled now, and the most at once since the last reset. */
	inFlight: { now: number; peak: number };
	/** The payment provider stand-in of the examples (POST /__sandbox/refunds). */
	refunds: RefundDesk;
	resetAll: () => void;
}

export interface AdminAnswer {
	status: number;
	json: unknown;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(address: string | undefined): boolean {
	return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function parseJson(body: Buffer): unknown {
	const text = body.toString('utf8').trim();
	if (text === '') return {};
	return JSON.parse(text);
}

function clockView(ctx: AdminContext): Record<string, unknown> {
	const now = ctx.clock.now();
	return { now: isoTime(now), now_ms: Math.floor(now), time_scale: ctx.clock.scale };
}

export function handleAdmin(ctx: AdminContext, method: string, path: string, body: Buffer): AdminAnswer {
	const route = `${method} ${path}`;
	let input: unknown;
	try {
		input = method === 'POST' ? parseJson(body) : undefined;
	} catch {
		return { status: 400, json: { error: 'body is not valid JSON' } };
	}
	switch (route) {
		case 'GET /__sandbox/state':
			return {
				status: 200,
				json: {
					...snapshot(ctx.state, ctx.dispenser),
					callbacks: ctx.callbacks.list(),
					faults: ctx.faults.list(),
					requests: { ...ctx.requests },
					signatures: { ...ctx.signatures },
					in_flight: { ...ctx.inFlight },
					refunds: ctx.refunds.list(),
				},
			};
		case 'GET /__sandbox/faults':
			return { status: 200, json: { queued: ctx.faults.list() } };
		case 'DELETE /__sandbox/faults':
			ctx.faults.clear();
			return { status: 200, json: { queued: [] } };
		case 'POST /__sandbox/faults':
			try {
				const added = ctx.faults.add(input);
				return { status: 200, json: { added, queued: ctx.faults.list() } };
			} catch (error) {
				return { status: 400, json: { error: (error as Error).message } };
			}
		case 'POST /__sandbox/refunds':
			return ctx.refunds.refund(input, new Date().toISOString());
		case 'GET /__sandbox/refunds':
			return { status: 200, json: { refunds: ctx.refunds.list() } };
		case 'GET /__sandbox/clock':
			return { status: 200, json: clockView(ctx) };
		case 'POST /__sandbox/clock': {
			const seconds = (input as { advanceSeconds?: unknown })?.advanceSeconds;
			if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
				return { status: 400, json: { error: 'advanceSeconds must be a number ≥ 0' } };
			}
			ctx.clock.advance(seconds);
			ctx.scheduler.fireDue();
			return { status: 200, json: clockView(ctx) };
		}
		case 'POST /__sandbox/machines': {
			// Adds (or replaces) a machine with the seed products, e.g. for many-machine runs.
			const { machine_no, type, online, stock, products } = (input ?? {}) as Record<string, unknown>;
			if (typeof machine_no !== 'string' || !MACHINE_NO_PATTERN.test(machine_no)) {
				return { status: 400, json: { error: 'machine_no must be a string of at least 8 digits' } };
			}
			if (typeof type !== 'string' || !(type in DWELL_SECONDS)) {
				return { status: 400, json: { error: `type must be one of ${Object.keys(DWELL_SECONDS).join(', ')}` } };
			}
			if (stock !== undefined && !(Number.isInteger(stock) && (stock as number) >= 0)) {
				return { status: 400, json: { error: 'stock must be an integer ≥ 0' } };
			}
			if (products !== undefined && !(Number.isInteger(products) && (products as number) >= 1 && (products as number) <= 260)) {
				return { status: 400, json: { error: 'products must be an integer from 1 to 260' } };
			}
			const machine = newMachine(machine_no, type as MachineType, online !== false, stock as number | undefined, products as number | undefined);
			ctx.state.machines.set(machine_no, machine);
			return { status: 200, json: { machine_no, type, dwell_seconds: machine.dwell_seconds, online: machine.online } };
		}
		case 'POST /__sandbox/reset':
			ctx.resetAll();
			return { status: 200, json: { ok: true, ...clockView(ctx) } };
		default:
			return handleMoreAdmin(ctx.state, method, path, input) ?? { status: 404, json: { error: `no admin route ${route}` } };
	}
}
