import { timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import { decodePayload, isEmptyValue, matchingSignStyle, signStylesDiffer } from '../nodes/shared/dingshang/signing';
import { ApiError, invalidParams } from './envelope';
import { fieldText, readMachineNo } from './params';
import type { ApiConfig, ApiContext, ApiResult } from './routeTypes';

/** The checks every Open API request goes through before its handler: headers, body, signed payload. */

function header(headers: IncomingHttpHeaders, name: string): string {
	const value = headers[name];
	return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

function sameSecret(given: string, expected: string): boolean {
	const a = Buffer.from(given, 'utf8');
	const b = Buffer.from(expected, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

export function checkHeaders(config: ApiConfig, headers: IncomingHttpHeaders): void {
	const appId = header(headers, 'appid');
	const secret = header(headers, 'appsecret');
	if (!appId || !secret) throw new ApiError(10008, 'appid or appsecret is empty', 401);
	if (appId !== config.appId) throw new ApiError(10014, 'appid is invalid', 401);
	if (!sameSecret(secret, config.appSecret)) throw new ApiError(4009, 'app secret is invalid', 401);
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
	const text = body.toString('utf8').trim();
	if (text === '') throw invalidParams('body is empty, expected a JSON object');
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw invalidParams('body is not valid JSON');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParams('body must be a JSON object');
	return parsed as Record<string, unknown>;
}

/** `{"payload": "<base64>"}` → verified params; timestamp checked, machine_no left to the caller. */
export function readSignedPayload(ctx: ApiContext, body: Buffer, result: ApiResult): Record<string, unknown> {
	const json = parseJsonBody(body);
	if (isEmptyValue(json.payload)) throw invalidParams('payload is missing, expected {"payload": "<base64>"}');
	let params: Record<string, unknown>;
	try {
		params = decodePayload(json.payload);
	} catch (error) {
		throw invalidParams((error as Error).message);
	}
	result.detail = truncate(JSON.stringify({ ...params, ...(params.sign === undefined ? {} : { sign: '***' }) }));
	const style = ctx.config.signStyle;
	const matched = matchingSignStyle(params, ctx.config.signKey, style === 'either' ? undefined : [style]);
	result.signedAs = matched === undefined ? 'refused' : signStylesDiffer(params) ? matched : 'same';
	if (matched === undefined) throw new ApiError(4006, 'sorry, payload sign invalid');
	const { sign: _sign, ...fields } = params;
	result.params = fields;
	readMachineNo(params.machine_no);
	const timestamp = params.timestamp;
	if (isEmptyValue(timestamp)) throw invalidParams('timestamp is required');
	if (!/^\d{1,12}$/.test(fieldText(timestamp))) throw invalidParams('timestamp must be Unix seconds');
	const skew = ctx.config.maxSkewSeconds;
	if (skew !== undefined && Math.abs(Number(timestamp) - ctx.clock.now() / 1000) > skew) {
		throw invalidParams(`timestamp is more than ${skew} s away from the server time`);
	}
	return params;
}

/** For the log line: a request's fields, cut at 400 characters. */
export function truncate(text: string): string {
	return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
