import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { API_PREFIX, explainCode } from './protocol';
import { encodePayload } from './signing';

/** The one request path of the package: signs, sends through n8n's helpers, classifies failures. */

export const CREDENTIAL_TYPE = 'dingShangApi';

export interface DingShangCredentials {
	baseUrl: string;
	appId: string;
	appSecret: string;
	signingKey: string;
}

/**
 * Why a request did not succeed. `platform` is a definite answer from DingShang; `unknown` means
 * the request may or may not have been processed (timeout, reset, 5xx page, garbled answer);
 * `notSent` means it certainly never reached the platform.
 */
export type FailureKind = 'platform' | 'unknown' | 'notSent' | 'config';

export class DingShangFailure extends Error {
	constructor(
		readonly kind: FailureKind,
		message: string,
		readonly details: { code?: number; platformMessage?: string; httpStatus?: number; cause?: string } = {},
	) {
		super(message);
		this.name = 'DingShangFailure';
	}
}

export interface Envelope {
	code: number;
	message: string;
	data: unknown;
}

export interface DingShangRequest {
	method: IHttpRequestMethods;
	/** Path after `/api/openapi/v1`, e.g. `/orders/60`. */
	path: string;
	/** Signed endpoints: the params to sign; sent as `{payload}`. */
	signed?: IDataObject;
	/** Unsigned endpoints: the plain JSON body. */
	body?: IDataObject;
	timeoutMs?: number;
}

/** Reads and checks the credential; errors name the field but never echo secret values. */
export async function getDingShangCredentials(ctx: IExecuteFunctions): Promise<DingShangCredentials> {
	const raw = (await ctx.getCredentials(CREDENTIAL_TYPE)) as Partial<Record<keyof DingShangCredentials, unknown>>;
	const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
	const creds: DingShangCredentials = {
		baseUrl: text(raw.baseUrl).replace(/\/+$/, ''),
		appId: text(raw.appId),
		appSecret: text(raw.appSecret),
		signingKey: text(raw.signingKey),
	};
	if (!creds.baseUrl) throw configError('Credential field "Base URL" is empty');
	let url: URL | undefined;
	try {
		url = new URL(creds.baseUrl);
	} catch {
		url = undefined;
	}
	if (!url || !/^https?:$/.test(url.protocol)) {
		throw configError(`Credential field "Base URL" must be an http(s) URL, got "${creds.baseUrl}"`);
	}
	if (!creds.appId) throw configError('Credential field "App ID" is empty');
	if (!creds.appSecret) throw configError('Credential field "App Secret" is empty');
	if (!creds.signingKey) throw configError('Credential field "Signing Key" is empty');
	return creds;
}

function configError(message: string): DingShangFailure {
	return new DingShangFailure('config', message);
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

/** Finds the low-level error code (ECONNRESET, ECONNABORTED…) under n8n's wrappers. */
function networkCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	const match = /\b(E[A-Z]{4,})\b/.exec(message);
	if (match) return match[1];
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	return undefined;
}

function parseEnvelope(body: unknown): Envelope | undefined {
	let value = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (!value || typeof value !== 'object') return undefined;
	const { code, message, data } = value as Record<string, unknown>;
	const numeric = typeof code === 'string' && /^-?\d+$/.test(code) ? Number(code) : code;
	if (typeof numeric !== 'number' || !Number.isFinite(numeric)) return undefined;
	return { code: numeric, message: typeof message === 'string' ? message : '', data };
}

/**
 * Sends one request and returns the envelope when `code === 0`. Throws DingShangFailure otherwise.
 * The Appid / AppSecret headers (the same ones as the credential's `authenticate`, which n8n uses
 * for the credential test) come from the credential read once per execution: going through
 * `httpRequestWithAuthentication` would read and decrypt the credential again for every request
 * (in n8n a database read) and evaluate its two header expressions each time — `npm run bench`
 * measured that as the largest cost we add per item.
 */
export async function dingShangRequest(
	ctx: IExecuteFunctions,
	creds: DingShangCredentials,
	request: DingShangRequest,
): Promise<Envelope> {
	const body = request.signed ? { payload: encodePayload(request.signed, creds.signingKey) } : request.body;
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${creds.baseUrl}${API_PREFIX}${request.path}`,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json', Appid: creds.appId, AppSecret: creds.appSecret },
		body: body ?? {},
		encoding: 'text',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs ?? 20000,
	};
	let response: { statusCode: number; body: unknown };
	try {
		response = (await ctx.helpers.httpRequest(options)) as {
			statusCode: number;
			body: unknown;
		};
	} catch (error) {
		const code = networkCode(error);
		const kind: FailureKind = code && NOT_SENT_CODES.has(code) ? 'notSent' : 'unknown';
		throw new DingShangFailure(kind, `No answer from DingShang (${code ?? 'network error'})`, { cause: code });
	}
	const envelope = parseEnvelope(response.body);
	if (!envelope) {
		throw new DingShangFailure(
			'unknown',
			`DingShang answered HTTP ${response.statusCode} with a body that is not a JSON envelope`,
			{ httpStatus: response.statusCode },
		);
	}
	if (envelope.code !== 0) {
		throw new DingShangFailure('platform', `DingShang error ${envelope.code}: ${envelope.message}`, {
			code: envelope.code,
			platformMessage: envelope.message,
			httpStatus: response.statusCode,
		});
	}
	return envelope;
}

/**
 * Reads are safe to repeat: retry failures whose outcome is unknown or that never left,
 * a bounded number of times with backoff. Platform answers are returned as they are.
 */
export async function dingShangRead(
	ctx: IExecuteFunctions,
	creds: DingShangCredentials,
	request: DingShangRequest,
	attempts = 3,
): Promise<Envelope> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await dingShangRequest(ctx, creds, request);
		} catch (error) {
			const retryable = error instanceof DingShangFailure && (error.kind === 'unknown' || error.kind === 'notSent');
			if (!retryable || attempt >= attempts) throw error;
			await sleep(300 * 2 ** (attempt - 1));
		}
	}
}

/** Messages the platform sends with `code 0` that still mean failure, mapped to their code. */
const MESSAGE_CODES: Record<string, number> = { 订单未支付: 6054 };

/** The platform code behind a failure, including code-0 refusals known by their message. */
export function failureCode(error: unknown): number | undefined {
	if (!(error instanceof DingShangFailure)) return undefined;
	return error.details.code ?? MESSAGE_CODES[error.details.platformMessage ?? ''];
}

/** Converts a failure into n8n's NodeApiError with the platform code, message and a plain explanation. */
export function toNodeApiError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError {
	if (error instanceof NodeApiError) return error;
	const failure =
		error instanceof DingShangFailure ? error : new DingShangFailure('unknown', (error as Error)?.message ?? String(error));
	const code = failureCode(failure);
	const explained = code !== undefined ? explainCode(code) : undefined;
	let description: string;
	if (failure.kind === 'platform' || code !== undefined) {
		description = explained
			? `${explained.en} (${explained.zh})`
			: `DingShang answered with code ${failure.details.code ?? '?'}, which this node does not know. The platform's message is shown as is.`;
	} else if (failure.kind === 'config') {
		description = 'Fix the field named above; no request was sent.';
	} else if (failure.kind === 'notSent') {
		description = 'The request never reached DingShang. Check the Base URL and the network.';
	} else {
		description = 'DingShang did not give a usable answer, so the result of this request is unknown.';
	}
	const response: JsonObject = {
		code: failure.details.code ?? null,
		message: failure.details.platformMessage ?? failure.message,
	};
	const apiError = new NodeApiError(ctx.getNode(), response, {
		message: failure.message,
		description,
		httpCode: failure.details.httpStatus ? String(failure.details.httpStatus) : undefined,
		itemIndex,
	});
	// NodeApiError swaps a message that mentions ECONNRESET & co. for a generic sentence; ours says
	// what happened to the command (e.g. "NOT sent again"), so it stays.
	apiError.message = failure.message;
	return apiError;
}
