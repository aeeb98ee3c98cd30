import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { Socket } from 'net';
import { isLoopback, trackConnections } from './httpServer';
import { performance } from 'perf_hooks';
import { API_PREFIX } from '../nodes/shared/dingshang/protocol';
import { handleAdmin } from './adminRoutes';
import { matchRoute, runApi } from './routes';
import type { ApiContext, ApiResult } from './routeTypes';
import type { RealTimers } from './clock';
import { BODY_DRAIN_LIMIT_BYTES, BODY_LIMIT_BYTES } from './constants';
import { ApiError, fromError } from './envelope';
import { writeBrokenAnswer, type RequestFault } from './faults';
import { handlePage, type PageContext } from './page';

/** HTTP plumbing: body reading, routing to the API or the admin routes, request faults, logging. */

export interface ServerContext extends ApiContext, PageContext {
	timers: RealTimers;
	log: (line: string) => void;
	onApiRequest?: (event: ApiRequestEvent) => void;
}

/** One API request the sandbox handled, for an in-process observer (the bench's latency timestamps). */
export interface ApiRequestEvent {
	/** When the request arrived, before its body was read: epoch ms, performance.timeOrigin + performance.now(). */
	receivedAt: number;
	method: string;
	/** The route key, as in GET /__sandbox/state's `requests` ('unknown' when none matched). */
	route: string;
	/** The path parameter ({order_id} or {delivery_id}). */
	param?: string;
	/** The envelope code answered. */
	code: number;
	/** The signed payload's fields (sign left out), when it had a valid one. */
	params?: Record<string, unknown>;
}

interface Body {
	buf: Buffer;
	tooLarge: boolean;
	/** Past the drain limit: we answer at once and drop the connection. */
	overflow: boolean;
	aborted: boolean;
}

function readBody(req: IncomingMessage): Promise<Body> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		let done = false;
		const finish = (overflow: boolean, aborted: boolean): void => {
			if (done) return;
			done = true;
			resolve({ buf: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, overflow, aborted });
		};
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > BODY_LIMIT_BYTES) {
				// Keep draining (so the client can read our answer) but stop keeping the bytes.
				tooLarge = true;
				chunks.length = 0;
				if (size > BODY_DRAIN_LIMIT_BYTES) finish(true, false);
			} else {
				chunks.push(chunk);
			}
		});
		req.on('end', () => finish(false, false));
		req.on('error', () => finish(false, true));
		req.on('close', () => finish(false, !req.complete));
	});
}

function sendJson(res: ServerResponse, status: number, text: string, close = false, type = 'application/json; charset=utf-8'): void {
	if (res.writableEnded || res.destroyed) return;
	const headers: http.OutgoingHttpHeaders = {
		'Content-Type': type,
		'Content-Length': Buffer.byteLength(text),
	};
	if (close) headers.Connection = 'close';
	res.writeHead(status, headers);
	res.end(text);
}

function notFound(method: string, path: string): ApiResult {
	return { answer: fromError(new ApiError(404, `route not found: ${method} ${path}`, 404)) };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const started = performance.now();
	const method = (req.method ?? 'GET').toUpperCase();
	const rawPath = (req.url ?? '/').split('?')[0];
	const path = rawPath.replace(/\/+$/, '') || '/';
	const body = await readBody(req);
	if (body.aborted) return;

	// The page (GET /, /__sandbox and its own /__sandbox/page/… routes) before the admin API it calls.
	const page = await handlePage(ctx, method, path, body.buf, isLoopback(req.socket.remoteAddress));
	if (page) {
		sendJson(res, page.status, page.text, false, page.type);
		return;
	}
	if (path === '/__sandbox' || path.startsWith('/__sandbox/')) {
		const admin = isLoopback(req.socket.remoteAddress)
			? handleAdmin(ctx, method, path, body.buf)
			: { status: 403, json: { error: 'admin routes answer loopback clients only' } };
		sendJson(res, admin.status, JSON.stringify(admin.json));
		return;
	}

	ctx.inFlight.now++;
	ctx.inFlight.peak = Math.max(ctx.inFlight.peak, ctx.inFlight.now);
	try {
		await handleApi(ctx, req, res, method, path, body, started);
	} finally {
		ctx.inFlight.now--;
	}
}

async function handleApi(
	ctx: ServerContext,
	req: IncomingMessage,
	res: ServerResponse,
	method: string,
	path: string,
	body: Awaited<ReturnType<typeof readBody>>,
	started: number,
): Promise<void> {
	const matched = path.startsWith(`${API_PREFIX}/`) ? matchRoute(method, path.slice(API_PREFIX.length)) : undefined;
	const key = matched?.route.key ?? 'unknown';
	ctx.requests[key] = (ctx.requests[key] ?? 0) + 1;
	const fault = ctx.faults.takeRequest(method, path);
	const note = fault ? ` [fault ${fault.kind} ${fault.when}]` : '';
	const logLine = (status: number | string, code: number | string, detail?: string): void =>
		ctx.log(`${method} ${path}${detail ? ` ${detail}` : ''} → ${status} code=${code} ${Math.round(performance.now() - started)}ms${note}`);

	if (fault?.when === 'before' && fault.kind !== 'delay') {
		writeBrokenAnswer(res, fault);
		logLine(fault.kind, '-');
		return;
	}
	if (fault?.when === 'before') await ctx.timers.sleep(fault.ms ?? 0);

	const result = body.overflow
		? { answer: fromError(new ApiError(4003, 'body too large (limit 1 MB)', 413)) }
		: matched
			? runApi(ctx, matched.route, { headers: req.headers, body: body.buf, tooLarge: body.tooLarge, param: matched.param })
			: notFound(method, path);
	const text = JSON.stringify(result.answer.body);
	if (result.signedAs) ctx.signatures[result.signedAs] = (ctx.signatures[result.signedAs] ?? 0) + 1;

	if (body.overflow) res.on('finish', () => req.socket.destroy());
	if (fault?.when === 'after') await answerAfterFault(ctx, res, fault, result, text);
	else sendJson(res, result.answer.http, text, body.overflow);
	logLine(result.answer.http, result.answer.body.code, result.detail);
	// After the answer, so an observer never delays it.
	ctx.onApiRequest?.({ receivedAt: performance.timeOrigin + started, method, route: key, param: matched?.param, code: result.answer.body.code, params: result.params });
}

/** "after" faults: the request was fully processed; its answer is now late or lost. */
async function answerAfterFault(ctx: ServerContext, res: ServerResponse, fault: RequestFault, result: ApiResult, text: string): Promise<void> {
	if (fault.kind === 'delay') {
		await ctx.timers.sleep(fault.ms ?? 0);
		sendJson(res, result.answer.http, text);
		return;
	}
	writeBrokenAnswer(res, fault, text);
}

export function createSandboxServer(ctx: ServerContext): { server: http.Server; sockets: Set<Socket> } {
	const server = http.createServer((req, res) => {
		handle(ctx, req, res).catch((error: unknown) => {
			// Last line of defence: any bug becomes a code 1000 envelope, never a crash.
			ctx.log(`handler error: ${(error as Error)?.stack ?? error}`);
			const envelope = { code: 1000, message: `internal error: ${(error as Error)?.message ?? error}`, data: {} };
			try {
				sendJson(res, 500, JSON.stringify(envelope));
			} catch {
				res.destroy();
			}
		});
	});
	return { server, sockets: trackConnections(server) };
}
