import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { createHash } from 'crypto';

import { networkCode, neverSent } from '../common/network';
import { DingShangFailure, type FailureKind } from './failures';
import { API_PREFIX, CREDENTIAL_REFUSED_CODES } from './protocol';
import { encodePayload, otherSignStyle, signStylesDiffer, type SignStyle } from './signing';

/** The one request path of the package: signs, sends through n8n's helpers, classifies failures. */

export const CREDENTIAL_TYPE = 'dingShangApi';

export interface DingShangCredentials {
	baseUrl: string;
	appId: string;
	appSecret: string;
	signingKey: string;
}

/** What the transport needs of n8n: the HTTP helper (execute and webhook-method contexts both have it). */
export interface RequestContext {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>;
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
export async function getDingShangCredentials(ctx: {
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
}): Promise<DingShangCredentials> {
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

/** One request's result: failures are values here, so retry loops inspect them without re-throwing. */
export type Sent = { ok: true; envelope: Envelope } | { ok: false; failure: DingShangFailure };

/** 4006 "payload sign invalid": the platform refused the sign, so it did nothing with the request. */
export const SIGN_INVALID_CODE = 4006;

/**
 * The canonical form the platform last accepted, per credential, in this process (docs/design.md › Signing).
 * Keyed by a hash, so the map holds no key text. Unknown → `plain`, the form of the docs' vector.
 */
const acceptedSignStyle = new Map<string, SignStyle>();
const credentialId = (creds: DingShangCredentials): string =>
	createHash('sha256').update(`${creds.baseUrl}\n${creds.appId}\n${creds.signingKey}`).digest('hex');

/** An answer that got past the sign check: anything from the platform but 4006. */
const signAccepted = (sent: Sent): boolean => sent.ok || (sent.failure.kind === 'platform' && sent.failure.details.code !== SIGN_INVALID_CODE);

/**
 * Sends one request; `ok` with the envelope when `code === 0`, else the classified failure.
 * A signed request whose two canonical forms differ is re-sent once in the other form after a
 * 4006 (safe: a refused sign did nothing), and the form that passed is remembered. Where the
 * forms agree, 4006 means a wrong Signing Key: no re-send.
 */
export async function trySend(ctx: RequestContext, creds: DingShangCredentials, request: DingShangRequest): Promise<Sent> {
	const { signed } = request;
	if (!signed) return sendOnce(ctx, creds, request, request.body);
	const payload = (style?: SignStyle) => ({ payload: encodePayload(signed, creds.signingKey, { style }) });
	if (!signStylesDiffer(signed)) return sendOnce(ctx, creds, request, payload()); // one sign whatever the form
	const id = credentialId(creds);
	const first = acceptedSignStyle.get(id) ?? 'plain';
	const sent = await sendOnce(ctx, creds, request, payload(first));
	if (signAccepted(sent)) acceptedSignStyle.set(id, first);
	if (sent.ok || sent.failure.details.code !== SIGN_INVALID_CODE) return sent; // a timeout is never re-sent here
	const second = otherSignStyle(first);
	const again = await sendOnce(ctx, creds, request, payload(second));
	if (signAccepted(again)) acceptedSignStyle.set(id, second);
	return again;
}

/**
 * One HTTP request. The Appid / AppSecret headers come from the credential read once per execution
 * (the credential has no generic `authenticate`, see DingShangApi.credentials.ts): going through
 * `httpRequestWithAuthentication` would read and decrypt the credential again for every request
 * (in n8n a database read) and evaluate its two header expressions each time — `npm run bench`
 * measured that as the largest cost we add per item.
 */
async function sendOnce(ctx: RequestContext, creds: DingShangCredentials, request: DingShangRequest, body: IDataObject | undefined): Promise<Sent> {
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
		const kind: FailureKind = neverSent(code) ? 'notSent' : 'unknown';
		return { ok: false, failure: new DingShangFailure(kind, `No answer from DingShang (${code ?? 'network error'})`, { cause: code }) };
	}
	const envelope = parseEnvelope(response.body);
	if (!envelope) {
		const message = `DingShang answered HTTP ${response.statusCode} with a body that is not a JSON envelope`;
		return { ok: false, failure: new DingShangFailure('unknown', message, { httpStatus: response.statusCode }) };
	}
	if (envelope.code !== 0) {
		const details = { code: envelope.code, platformMessage: envelope.message, httpStatus: response.statusCode, data: envelope.data };
		return { ok: false, failure: new DingShangFailure('platform', `DingShang error ${envelope.code}: ${envelope.message}`, details) };
	}
	return { ok: true, envelope };
}

/** Sends one request and returns the envelope when `code === 0`; throws the DingShangFailure otherwise. */
export async function dingShangRequest(ctx: RequestContext, creds: DingShangCredentials, request: DingShangRequest): Promise<Envelope> {
	const sent = await trySend(ctx, creds, request);
	if (!sent.ok) throw sent.failure;
	return sent.envelope;
}

export const isRetryable = (failure: DingShangFailure) => failure.kind === 'unknown' || failure.kind === 'notSent';

/**
 * Reads are safe to repeat: retry failures whose outcome is unknown or that never left,
 * a bounded number of times with backoff. Platform answers are returned as they are.
 */
export async function tryRead(ctx: RequestContext, creds: DingShangCredentials, request: DingShangRequest, attempts = 3): Promise<Sent> {
	for (let attempt = 1; ; attempt++) {
		const sent = await trySend(ctx, creds, request);
		if (sent.ok || !isRetryable(sent.failure) || attempt >= attempts) return sent;
		await sleep(300 * 2 ** (attempt - 1));
	}
}

/** `tryRead` that returns the envelope or throws the DingShangFailure. */
export async function dingShangRead(ctx: RequestContext, creds: DingShangCredentials, request: DingShangRequest): Promise<Envelope> {
	const sent = await tryRead(ctx, creds, request);
	if (!sent.ok) throw sent.failure;
	return sent.envelope;
}

const CREDENTIAL_REFUSED = new Set(CREDENTIAL_REFUSED_CODES);

/** The credential check: Get Order 1 of a machine that cannot exist (also the credential's Test button). */
export const PROBE_PATH = '/orders/1';
export const PROBE_PARAMS = { machine_no: '00000000' };

/**
 * Proves all four credential fields with one harmless signed read: Get Order 1 of machine
 * 00000000. Headers are checked first and the sign before the machine is looked up, so any other
 * platform answer ("machine not found") proves Base URL, App ID, App Secret and Signing Key.
 * Returns the failure when the credential is refused or the platform cannot be reached.
 */
export async function probeCredential(ctx: RequestContext, creds: DingShangCredentials): Promise<DingShangFailure | undefined> {
	const sent = await trySend(ctx, creds, { method: 'POST', path: PROBE_PATH, signed: PROBE_PARAMS, timeoutMs: 15000 });
	if (sent.ok) return undefined;
	const { kind, details } = sent.failure;
	if (kind === 'platform' && details.code !== undefined && !CREDENTIAL_REFUSED.has(details.code)) return undefined;
	return sent.failure;
}

