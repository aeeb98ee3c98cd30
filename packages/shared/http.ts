import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';

import { networkCode, neverSent } from '../common/network';

/** What the refund calls need of n8n: the HTTP helper and the node (for errors). */
export type Ctx = { helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>; getNode(): INode };

/** A provider call's answer as text (signatures cover the exact bytes), or why there is none. */
export type TextAnswer = { statusCode: number; headers: IDataObject; body: string } | { error: string; sent: boolean };

export async function requestText(ctx: Ctx, options: IHttpRequestOptions): Promise<TextAnswer> {
	try {
		const response = (await ctx.helpers.httpRequest({ ...options, encoding: 'text', json: false, returnFullResponse: true, ignoreHttpStatusErrors: true, timeout: 20000 })) as {
			statusCode: number;
			headers: IDataObject;
			body: unknown;
		};
		const body = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body };
	} catch (error) {
		const code = networkCode(error);
		return { error: code ?? 'network error', sent: !neverSent(code) };
	}
}
