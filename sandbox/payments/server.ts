import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { Socket } from 'net';
import { isLoopback, trackConnections } from '../httpServer';
import { performance } from 'perf_hooks';

import { handleAdmin, type AdminContext } from './admin';
import { handleAlipay } from './alipay';
import type { AlipayBillLinks } from './alipayBill';
import { alipayBillDownload } from './alipayBillDownload';
import type { KeyRing } from './keys';
import { handleWeChat, weChatAnswerHeaders } from './weChatPay';
import { ALIPAY_REFUND_METHOD } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import { WECHAT_REFUNDS_PATH } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';

/** HTTP plumbing: one server, WeChat Pay under /v3/, Alipay at /gateway.do, admin under /__payments/. */

export interface ServerContext extends AdminContext {
	keys: KeyRing;
	/** Alipay bill download links (30 s each). */
	alipayBillLinks: AlipayBillLinks;
	log: (line: string) => void;
}

const BODY_LIMIT_BYTES = 1024 * 1024;

/** The body as text, or undefined when it is over the limit or the client went away. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
		});
		req.on('end', () => resolve(size > BODY_LIMIT_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
		req.on('error', () => resolve(undefined));
	});
}

function send(res: ServerResponse, status: number, text: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' }): void {
	if (res.writableEnded || res.destroyed) return;
	res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
	res.end(text);
}

/** Query string and form body together, the body winning, as the Alipay gateway reads them. */
function alipayParams(url: string, req: IncomingMessage, body: string): Record<string, string> {
	const params = Object.fromEntries(new URL(url, 'http://sandbox').searchParams);
	const type = String(req.headers['content-type'] ?? '');
	if (body && (type === '' || type.includes('x-www-form-urlencoded'))) Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
	return params;
}

/** The refund was processed; with the fault armed its answer never arrives (the socket is dropped). */
function loseAnswer(ctx: ServerContext, res: ServerResponse): boolean {
	if (ctx.faults.loseRefundAnswers <= 0) return false;
	ctx.faults.loseRefundAnswers--;
	res.socket?.destroy();
	return true;
}

/** With the fault armed, a refund request is held before it is processed — processed even if the caller is gone by then. */
async function holdRefund(ctx: ServerContext): Promise<void> {
	const slow = ctx.faults.slowRefunds;
	if (slow.count <= 0) return;
	slow.count--;
	await new Promise((done) => setTimeout(done, slow.ms));
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const started = performance.now();
	const method = (req.method ?? 'GET').toUpperCase();
	const url = req.url ?? '/';
	const path = url.split('?')[0];
	const body = await readBody(req);
	// Never the body or headers: they carry signatures (and the test keys' use).
	const logLine = (status: number, code: string, detail = ''): void => ctx.log(`${method} ${path}${detail} → ${status} ${code} ${Math.round(performance.now() - started)}ms`);
	if (body === undefined) {
		send(res, 413, JSON.stringify({ code: 'PARAM_ERROR', message: 'body too large (limit 1 MB)' }));
		logLine(413, 'too large');
		return;
	}

	if (path === '/__payments' || path.startsWith('/__payments/')) {
		const answer = isLoopback(req.socket.remoteAddress) ? await handleAdmin(ctx, method, path, body) : { status: 403, json: { error: 'admin routes answer loopback clients only' } };
		send(res, answer.status, JSON.stringify(answer.json));
		logLine(answer.status, 'admin');
		return;
	}
	if (path === '/gateway.do' && (method === 'POST' || method === 'GET')) {
		const params = alipayParams(url, req, body);
		if (params.method === ALIPAY_REFUND_METHOD) await holdRefund(ctx);
		const answer = handleAlipay(ctx, params, `http://${req.headers.host ?? 'localhost'}`);
		if (params.method === ALIPAY_REFUND_METHOD && loseAnswer(ctx, res)) return logLine(0, 'answer lost (fault)', ` ${params.method}`);
		send(res, 200, answer.text, { 'Content-Type': 'application/json;charset=utf-8' });
		logLine(200, answer.code, ` ${params.method ?? '-'}`);
		return;
	}
	if (path === '/downloadBillFile.resource' && method === 'GET') {
		const answer = alipayBillDownload(ctx, url);
		send(res, answer.status, answer.body, answer.headers);
		return logLine(answer.status, answer.code);
	}
	if (path.startsWith('/v3/')) {
		if (method === 'POST' && path === WECHAT_REFUNDS_PATH && ctx.faults.refuseRefunds > 0) {
			// A definite refusal before anything is processed: the refund call failed, no money moved.
			ctx.faults.refuseRefunds--;
			const text = JSON.stringify({ code: 'FREQUENCY_LIMITED', message: '频率超限，请降低请求频率' });
			send(res, 429, text, weChatAnswerHeaders(ctx.keys, text));
			return logLine(429, 'FREQUENCY_LIMITED (fault)');
		}
		if (method === 'POST' && path === WECHAT_REFUNDS_PATH) await holdRefund(ctx);
		const answer = handleWeChat(ctx, { method, url, headers: req.headers, body });
		if (method === 'POST' && path === WECHAT_REFUNDS_PATH && loseAnswer(ctx, res)) return logLine(0, 'answer lost (fault)');
		// A bill file goes out as bytes, unsigned, as WeChat Pay sends it.
		if (answer.file) return (send(res, answer.status, answer.file, { 'Content-Type': 'application/octet-stream' }), logLine(answer.status, answer.code));
		const text = answer.empty ? '' : JSON.stringify(answer.body);
		send(res, answer.status, text, weChatAnswerHeaders(ctx.keys, text));
		logLine(answer.status, answer.code);
		return;
	}
	send(res, 404, JSON.stringify({ code: 'NOT_FOUND', message: `no route ${method} ${path}` }));
	logLine(404, 'NOT_FOUND');
}

export function createPaymentServer(ctx: ServerContext): { server: http.Server; sockets: Set<Socket> } {
	const server = http.createServer((req, res) => {
		handle(ctx, req, res).catch((error: unknown) => {
			// A bug answers 500 (unknown outcome for the client), never a crash.
			ctx.log(`handler error: ${(error as Error)?.stack ?? error}`);
			send(res, 500, JSON.stringify({ code: 'SYSTEM_ERROR', message: 'sandbox internal error' }));
		});
	});
	return { server, sockets: trackConnections(server) };
}
