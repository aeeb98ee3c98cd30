import type { IDataObject } from 'n8n-workflow';

import { networkCode } from '../common/network';
import { requestText, type Ctx } from '../payments/http';
import type { Reply } from '../payments/refunds';
import { weChatAuthorization, weChatHeaders, weChatSignatureProblem } from './api';
import type { WeChatPayCredentials } from './credentials';

/** One signed WeChat Pay APIv3 call, its answer's signature checked; and the unsigned bill download. */

function headersFor(creds: WeChatPayCredentials, method: string, pathWithQuery: string, body: string): Record<string, string> {
	return {
		Authorization: weChatAuthorization(creds, method, pathWithQuery, body),
		Accept: 'application/json',
		'Content-Type': 'application/json',
		'Wechatpay-Serial': creds.publicKeyId,
		'User-Agent': 'n8n-nodes-wechatpay',
	};
}

/** A trusted answer (JSON; `{}` for 204), a refusal, or an unknown outcome. */
export async function weChatCall(ctx: Ctx, creds: WeChatPayCredentials, method: 'GET' | 'POST', pathWithQuery: string, payload?: IDataObject): Promise<Reply<IDataObject>> {
	const body = payload ? JSON.stringify(payload) : '';
	const sent = await requestText(ctx, { method, url: `${creds.baseUrl}${pathWithQuery}`, headers: headersFor(creds, method, pathWithQuery, body), body: payload ? body : undefined });
	if ('error' in sent) return { kind: 'unknown', why: `no answer (${sent.error})`, sent: sent.sent };
	let json: IDataObject;
	try {
		json = sent.body === '' && sent.statusCode === 204 ? {} : (JSON.parse(sent.body) as IDataObject);
	} catch {
		return { kind: 'unknown', why: `HTTP ${sent.statusCode} with a body that is not JSON`, sent: true };
	}
	if (sent.statusCode >= 500) return { kind: 'unknown', why: `HTTP ${sent.statusCode} ${String(json.code ?? '')}`.trim(), sent: true };
	// Every signed answer must verify — a "no such refund" too, since it leads to sending one. Only an
	// unsigned refusal (a proxy's, or WeChat Pay's own SIGN_ERROR) is taken as it is: nothing moved.
	const headers = weChatHeaders(sent.headers);
	const unsignedRefusal = sent.statusCode >= 400 && headers.signature === undefined;
	const problem = unsignedRefusal ? undefined : weChatSignatureProblem(headers, sent.body, creds.publicKey, creds.publicKeyId);
	if (problem) return { kind: 'unknown', why: `answer not trusted: ${problem}`, sent: true };
	if (sent.statusCode >= 400) return { kind: 'refused', code: String(json.code ?? `HTTP_${sent.statusCode}`), message: String(json.message ?? ''), status: sent.statusCode };
	return { kind: 'answer', value: json };
}

export type Download = { bytes: Buffer } | { refused: string; status: number } | { error: string };

/**
 * A bill file: a GET signed like any call, whose answer is the file and carries no signature (WeChat
 * Pay signs only JSON answers), so none is checked. A refusal (e.g. an expired link) is JSON.
 */
export async function weChatDownload(ctx: Ctx, creds: WeChatPayCredentials, url: URL): Promise<Download> {
	const pathWithQuery = `${url.pathname}${url.search}`;
	let response: { statusCode: number; body: unknown };
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: url.toString(),
			headers: { ...headersFor(creds, 'GET', pathWithQuery, ''), Accept: '*/*' },
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 60000,
		})) as { statusCode: number; body: unknown };
	} catch (error) {
		const code = networkCode(error);
		return { error: code ?? 'network error' };
	}
	const raw = response.body;
	const bytes = Buffer.isBuffer(raw) ? raw : raw instanceof ArrayBuffer ? Buffer.from(raw) : Buffer.from(typeof raw === 'string' ? raw : '', 'utf8');
	if (response.statusCode >= 400) {
		let reason = bytes.toString('utf8').slice(0, 300);
		try {
			const json = JSON.parse(reason) as IDataObject;
			reason = `${String(json.code ?? '')} ${String(json.message ?? '')}`.trim();
		} catch {
			// not JSON: shown as it is
		}
		return { refused: reason, status: response.statusCode };
	}
	return { bytes };
}
