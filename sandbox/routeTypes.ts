import type { IncomingHttpHeaders } from 'http';
import type { SignStyle } from '../nodes/shared/dingshang/signing';
import type { CallbackDispatcher } from './callbacks';
import type { Scheduler, VirtualClock } from './clock';
import type { Dispenser } from './dispense';
import type { ApiAnswer } from './envelope';
import type { FaultQueue } from './faults';
import type { Machine } from './model';
import type { SandboxState } from './state';

/**
 * The shapes of the two route tables (Open API in routes.ts, admin in adminRoutes.ts) and of what
 * their handlers get. Kept apart so the files of handlers and the tables never import each other.
 */

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
	/** Path parameter ({order_id}, {delivery_id}…), when the route has one. */
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

/** A signed request that passed every common check: its machine is known and online. */
export interface SignedCall {
	machine: Machine;
	params: Record<string, unknown>;
	param?: string;
}

interface RouteBase {
	method: 'POST' | 'PUT';
	/** Matched against the path after API_PREFIX. */
	pattern: RegExp;
	/** The name in GET /__sandbox/state's `requests`. */
	key: string;
}

/** What the endpoint reads decides what its handler gets; the handler's return value is the envelope's `data`. */
export type ApiRoute = RouteBase &
	(
		| { input: 'headers'; handler: (ctx: ApiContext, param?: string) => unknown }
		| { input: 'json'; handler: (ctx: ApiContext, body: Record<string, unknown>) => unknown }
		| { input: 'signed'; handler: (ctx: ApiContext, call: SignedCall) => unknown }
	);

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
	resetAll: () => void;
}

export interface AdminAnswer {
	status: number;
	json: unknown;
}

/** One /__sandbox route: `input` is the parsed JSON body (POST only), `match` the path's pattern match. */
export interface AdminRoute {
	method: 'GET' | 'POST' | 'DELETE';
	pattern: RegExp;
	handler: (ctx: AdminContext, input: unknown, match: RegExpExecArray) => AdminAnswer;
}
