import { CallbackDispatcher } from './callbacks';
import { RealTimers, Scheduler, VirtualClock } from './clock';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SIGN_KEY } from './constants';
import { Dispenser } from './dispense';
import { FaultQueue } from './faults';
import { closer, listen } from './httpServer';
import type { PageLinks } from './page';
import { SANDBOX_SIGN_STYLES, type SandboxSignStyle } from './routeTypes';
import { createSandboxServer, type ApiRequestEvent } from './server';
import { SandboxState } from './state';

export type { ApiRequestEvent } from './server';
export type { PageLinks } from './page';
export { SANDBOX_SIGN_STYLES, type SandboxSignStyle } from './routeTypes';
export {
	DEFAULT_APP_ID,
	DEFAULT_APP_SECRET,
	DEFAULT_SIGN_KEY,
	DELIVERY_STATUS_TEXT,
	ORDER_EXPIRED_METHOD,
	TIMEOUT_FAIL_REASON,
	UNPAID_MESSAGE,
} from './constants';

export interface SandboxOptions {
	/** 0 picks a free port; default SANDBOX_PORT or 3900. */
	port?: number;
	host?: string;
	/** Multiplies every platform duration (0.01 → 120 s takes 1.2 s). */
	timeScale?: number;
	/** Reject payload timestamps further than this from (virtual) now; off when undefined. */
	maxSkewSeconds?: number;
	appId?: string;
	appSecret?: string;
	signKey?: string;
	/** Which form of the sign is accepted: `either` (default), `plain` or `go`; default SANDBOX_SIGN_STYLE. */
	signStyle?: SandboxSignStyle;
	/** true (default): console.log; false: silent; a function: receives each line. */
	log?: boolean | ((line: string) => void);
	/** Called after each API request is answered (in-process observers only, e.g. the latency bench). */
	onApiRequest?: (event: ApiRequestEvent) => void;
	/** What the sandbox page (GET /) links to: the payment sandbox, the workflows' webhooks. */
	pageLinks?: PageLinks;
}

export interface RunningSandbox {
	baseUrl: string;
	appId: string;
	appSecret: string;
	signKey: string;
	signStyle: SandboxSignStyle;
	/** The page's links, read at each request: set them once the other servers are up. */
	pageLinks: PageLinks;
	close(): Promise<void>;
}

function makeLogger(option: SandboxOptions['log']): (line: string) => void {
	if (typeof option === 'function') return option;
	if (option === false) return () => undefined;
	return (line) => console.log(`[sandbox ${new Date().toISOString()}] ${line}`);
}

function envPort(): number {
	const raw = process.env.SANDBOX_PORT;
	return raw === undefined || raw === '' ? DEFAULT_PORT : Number(raw);
}

/** `either` when not given; anything else but `plain` / `go` is refused by name. */
export function readSignStyle(value: string | undefined): SandboxSignStyle {
	if (value === undefined) return 'either';
	if (!(SANDBOX_SIGN_STYLES as readonly string[]).includes(value)) {
		throw new Error(`sign style must be one of ${SANDBOX_SIGN_STYLES.join(', ')}, got "${value}"`);
	}
	return value as SandboxSignStyle;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
	const env = process.env;
	const config = {
		appId: opts.appId ?? env.SANDBOX_APP_ID ?? DEFAULT_APP_ID,
		appSecret: opts.appSecret ?? env.SANDBOX_APP_SECRET ?? DEFAULT_APP_SECRET,
		signKey: opts.signKey ?? env.SANDBOX_SIGN_KEY ?? DEFAULT_SIGN_KEY,
		signStyle: readSignStyle(opts.signStyle ?? (env.SANDBOX_SIGN_STYLE || undefined)),
		maxSkewSeconds: opts.maxSkewSeconds,
	};
	if (!config.appId || !config.appSecret || !config.signKey) throw new Error('appId, appSecret and signKey must not be empty');
	const port = opts.port ?? envPort();
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${port}`);
	const host = opts.host ?? DEFAULT_HOST;

	const log = makeLogger(opts.log);
	const clock = new VirtualClock(opts.timeScale ?? 1);
	const scheduler = new Scheduler(clock, (label, error) => log(`job "${label}" failed: ${(error as Error)?.stack ?? error}`));
	const timers = new RealTimers();
	const faults = new FaultQueue();
	const callbacks = new CallbackDispatcher({ clock, scheduler, timers, faults, log });
	const state = new SandboxState({ clock, scheduler, faults, callbacks, log });
	const dispenser = new Dispenser(state);
	const requests: Record<string, number> = {};
	const signatures: Record<string, number> = {};
	const inFlight = { now: 0, peak: 0 };
	const resetAll = (): void => {
		scheduler.clear();
		faults.clear();
		callbacks.reset();
		clock.reset();
		state.reset();
		dispenser.reset();
		for (const counts of [requests, signatures]) for (const key of Object.keys(counts)) delete counts[key];
		inFlight.peak = inFlight.now;
		log('reset to the seed state');
	};
	const links: PageLinks = { ...opts.pageLinks };
	const { server, sockets } = createSandboxServer({ config, state, dispenser, clock, scheduler, faults, callbacks, requests, signatures, inFlight, resetAll, timers, log, links, onApiRequest: opts.onApiRequest });

	const baseUrl = await listen(server, port, host);
	const close = closer(server, sockets, () => {
		scheduler.stop();
		timers.clearAll();
		callbacks.close();
	});
	return { baseUrl, ...config, pageLinks: links, close };
}
