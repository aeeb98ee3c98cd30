/**
 * The HTTP side of a production webhook call as our triggers see it: the request with n8n's
 * additions (contentType, encoding, rawBody, body, query, ip), the few express Response methods
 * our triggers call, the body reading of n8n's CLI for the content types our triggers accept,
 * and n8n's JSON error answer. Each piece names the CLI file it follows (packages/cli/src/...).
 *
 * Not reproduced, and refused where a request could need it: gzip/deflate bodies (the CLI
 * inflates them), multipart/form-data. XML bodies are read (rawBody) but not parsed into `body`
 * as the CLI would: our triggers refuse XML by its Content-Type before looking at the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';

// The CLI's rawBodyReader takes contentType/encoding from @n8n/backend-network (an n8n-core dependency).
import { parseIncomingMessage } from '@n8n/backend-network';
import { UserError, jsonParse, type IDataObject } from 'n8n-workflow';

/** Request as n8n's webhook handlers see it (express request + rawBodyReader's additions). */
export type WebhookRequest = IncomingMessage & {
	body?: unknown;
	rawBody?: Buffer;
	contentType?: string;
	encoding?: BufferEncoding;
	query: Record<string, unknown>;
	params: Record<string, string>;
	path: string;
	ip?: string;
};

/** The express Response methods our triggers use, on top of Node's ServerResponse. */
export type WebhookResponse = ServerResponse & {
	status(code: number): WebhookResponse;
	set(field: string, value: string): WebhookResponse;
	type(contentType: string): WebhookResponse;
	json(body: unknown): WebhookResponse;
	send(body?: unknown): WebhookResponse;
};

/** Something a request asks of n8n that this harness does not do: answered 500 with this message. */
export class HarnessLimitError extends Error {}

/** n8n's ResponseError shape (errors/response-errors/abstract/response.error.ts). */
export class ResponseError extends Error {
	constructor(
		message: string,
		readonly httpStatusCode: number,
		readonly hint?: string,
	) {
		super(message);
	}
}

export function extendRequest(req: IncomingMessage, url: URL): WebhookRequest {
	const r = req as WebhookRequest;
	parseIncomingMessage(r); // req.contentType (lower-cased, no params) and req.encoding (charset, default utf-8)
	r.query = parseQueryString(url.search.slice(1)); // express 5's default ("simple") query parser
	r.params = {}; // static paths only: no path parameters
	r.path = url.pathname;
	r.ip = req.socket.remoteAddress; // express req.ip without 'trust proxy' (n8n: N8N_PROXY_HOPS=0)
	return r;
}

/** express 5 semantics for the methods our triggers call. */
export function extendResponse(res: ServerResponse): WebhookResponse {
	const r = res as WebhookResponse;
	r.status = (code) => {
		r.statusCode = code;
		return r;
	};
	r.set = (field, value) => {
		r.setHeader(field, value);
		return r;
	};
	r.type = (contentType) => r.set('Content-Type', contentType.includes('/') ? contentType : `text/${contentType}`);
	r.json = (body) => {
		if (!r.getHeader('Content-Type')) r.setHeader('Content-Type', 'application/json; charset=utf-8');
		return r.send(JSON.stringify(body) ?? '');
	};
	r.send = (body) => {
		if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) return r.json(body);
		if (typeof body === 'string' && !r.getHeader('Content-Type')) r.setHeader('Content-Type', 'text/html; charset=utf-8');
		r.end(body ?? '');
		return r;
	};
	return r;
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
const READ_FROM_VERSION_2 = ['application/json', 'text/plain', 'application/x-www-form-urlencoded'];
const isXml = (contentType?: string) => !!contentType && (contentType.endsWith('/xml') || contentType.endsWith('+xml'));

/**
 * webhooks/webhook-helpers.ts `parseRequestBody` + middlewares/body-parser.ts `parseBody`: from
 * node version 2 on (typeVersion > 1) only JSON, text, form and XML bodies are read at all; then
 * req.rawBody is set and JSON / form / text parsed into req.body (empty body: body undefined).
 */
export async function readRequestBody(req: WebhookRequest, typeVersion: number): Promise<void> {
	const { contentType, encoding } = req;
	const contentEncoding = req.headers['content-encoding'];
	if (contentEncoding && contentEncoding !== 'identity') throw new HarnessLimitError(`Content-Encoding "${contentEncoding}" is not supported by the test harness`);
	if (contentType?.startsWith('multipart/')) throw new HarnessLimitError('multipart bodies are not supported by the test harness');
	if (typeVersion > 1 && !READ_FROM_VERSION_2.some((type) => contentType?.startsWith(type)) && !isXml(contentType)) return;

	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const rawBody = (req.rawBody = Buffer.concat(chunks));
	if (rawBody.length === 0) return;
	try {
		if (contentType === 'application/json') req.body = jsonParse(stripBom(rawBody.toString(encoding)));
		else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = parseQueryString(stripBom(rawBody.toString(encoding)), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') req.body = rawBody.toString(encoding);
	} catch (error) {
		// UnprocessableRequestError: 422 {"code":422,"message":"Failed to parse request body","hint":<error>}
		throw new ResponseError('Failed to parse request body', 422, (error as Error).message);
	}
}

/**
 * response-helper.ts `sendErrorResponse` (production, no stack): ResponseError → its status;
 * UserError → 400; anything else → 500; body {code, message[, hint]}.
 */
export function sendErrorResponse(res: WebhookResponse, error: Error): void {
	const body: IDataObject = { code: 0, message: error.message ?? 'Unknown error' };
	let status = 500;
	if (error instanceof ResponseError) {
		status = body.code = error.httpStatusCode;
		if (error.hint) body.hint = error.hint;
	} else if (error instanceof UserError) {
		status = 400;
	}
	res.status(status).json(body);
}
