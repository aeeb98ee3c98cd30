import { MACHINE_ADMIN_ROUTES } from './adminMachines';
import { isoTime } from './clock';
import type { AdminAnswer, AdminContext, AdminRoute } from './routeTypes';
import { snapshot } from './snapshot';

/** Test-only control API under /__sandbox/ (plain JSON, no envelope, loopback clients only): one table, one dispatch. */

function clockView(ctx: AdminContext): Record<string, unknown> {
	const now = ctx.clock.now();
	return { now: isoTime(now), now_ms: Math.floor(now), time_scale: ctx.clock.scale };
}

const ROUTES: readonly AdminRoute[] = [
	{
		method: 'GET',
		pattern: /^\/__sandbox\/state$/,
		handler: (ctx) => ({
			status: 200,
			json: {
				...snapshot(ctx.state, ctx.dispenser),
				callbacks: ctx.callbacks.list(),
				faults: ctx.faults.list(),
				requests: { ...ctx.requests },
				signatures: { ...ctx.signatures },
				in_flight: { ...ctx.inFlight },
			},
		}),
	},
	{ method: 'GET', pattern: /^\/__sandbox\/faults$/, handler: (ctx) => ({ status: 200, json: { queued: ctx.faults.list() } }) },
	{
		method: 'DELETE',
		pattern: /^\/__sandbox\/faults$/,
		handler: (ctx) => {
			ctx.faults.clear();
			return { status: 200, json: { queued: [] } };
		},
	},
	{
		method: 'POST',
		pattern: /^\/__sandbox\/faults$/,
		handler: (ctx, input) => {
			try {
				const added = ctx.faults.add(input);
				return { status: 200, json: { added, queued: ctx.faults.list() } };
			} catch (error) {
				return { status: 400, json: { error: (error as Error).message } };
			}
		},
	},
	{ method: 'GET', pattern: /^\/__sandbox\/clock$/, handler: (ctx) => ({ status: 200, json: clockView(ctx) }) },
	{
		method: 'POST',
		pattern: /^\/__sandbox\/clock$/,
		handler: (ctx, input) => {
			const seconds = (input as { advanceSeconds?: unknown })?.advanceSeconds;
			if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
				return { status: 400, json: { error: 'advanceSeconds must be a number ≥ 0' } };
			}
			ctx.clock.advance(seconds);
			ctx.scheduler.fireDue();
			return { status: 200, json: clockView(ctx) };
		},
	},
	{
		method: 'POST',
		pattern: /^\/__sandbox\/reset$/,
		handler: (ctx) => {
			ctx.resetAll();
			return { status: 200, json: { ok: true, ...clockView(ctx) } };
		},
	},
	...MACHINE_ADMIN_ROUTES,
];

function parseJson(body: Buffer): unknown {
	const text = body.toString('utf8').trim();
	if (text === '') return {};
	return JSON.parse(text);
}

export function handleAdmin(ctx: AdminContext, method: string, path: string, body: Buffer): AdminAnswer {
	let input: unknown;
	try {
		// Read before the route is looked up: a POST whose body is not JSON is a 400 whatever its path.
		input = method === 'POST' ? parseJson(body) : undefined;
	} catch {
		return { status: 400, json: { error: 'body is not valid JSON' } };
	}
	for (const route of ROUTES) {
		const match = route.method === method ? route.pattern.exec(path) : null;
		if (match) return route.handler(ctx, input, match);
	}
	return { status: 404, json: { error: `no admin route ${method} ${path}` } };
}
