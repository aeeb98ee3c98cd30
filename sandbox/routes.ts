import { CATALOG_ROUTES } from './catalogRoutes';
import { DELIVERY_ROUTES } from './deliveryRoutes';
import { ApiError, fromError, ok } from './envelope';
import { ORDER_ROUTES } from './orderRoutes';
import { readMachineNo } from './params';
import { PICKUP_CODE_ROUTES } from './pickupCodeRoutes';
import { checkHeaders, parseJsonBody, readSignedPayload, truncate } from './requestChecks';
import type { ApiContext, ApiRequest, ApiResult, ApiRoute } from './routeTypes';

/** The Open API's one route table and its one dispatch: common checks by the route's `input`, then its handler. */

const ROUTES: readonly ApiRoute[] = [
	{ method: 'POST', pattern: /^\/ping$/, key: 'POST /ping', input: 'headers', handler: () => 'pong' },
	...ORDER_ROUTES,
	...DELIVERY_ROUTES,
	...CATALOG_ROUTES,
	...PICKUP_CODE_ROUTES,
];

/** `subPath` is the path after API_PREFIX; the first route that matches wins. */
export function matchRoute(method: string, subPath: string): { route: ApiRoute; param?: string } | undefined {
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

export function runApi(ctx: ApiContext, route: ApiRoute, req: ApiRequest): ApiResult {
	const result: ApiResult = { answer: ok('') };
	try {
		checkHeaders(ctx.config, req.headers);
		if (req.tooLarge) throw new ApiError(4003, 'body too large (limit 1 MB)', 413);
		result.answer = ok(handle(ctx, route, req, result));
	} catch (error) {
		result.answer =
			error instanceof ApiError
				? fromError(error)
				: fromError(new ApiError(1000, `internal error: ${(error as Error)?.message ?? error}`, 500));
	}
	return result;
}

/** Reads the request as the route says (noting what it carried in `result`) and runs its handler. */
function handle(ctx: ApiContext, route: ApiRoute, req: ApiRequest, result: ApiResult): unknown {
	switch (route.input) {
		case 'headers':
			return route.handler(ctx, req.param);
		case 'json': {
			const body = parseJsonBody(req.body);
			result.detail = truncate(JSON.stringify(body));
			return route.handler(ctx, body);
		}
		case 'signed': {
			const params = readSignedPayload(ctx, req.body, result);
			const machine = ctx.state.machine(readMachineNo(params.machine_no));
			return route.handler(ctx, { machine, params, param: req.param });
		}
	}
}
