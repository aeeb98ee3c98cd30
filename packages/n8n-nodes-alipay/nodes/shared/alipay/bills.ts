import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { networkCode } from '../common/network';
import { providerRefusal } from '../payments/errors';
import type { Ctx } from '../payments/http';
import { ZipError } from '../payments/zipArchive';
import { ALIPAY_BILL_METHOD } from './api';
import { WORDS } from './billLayout';
import { BillError, readAlipayBill } from './billParse';
import type { AlipayCredentials } from './credentials';
import { callAlipay } from './gateway';
import { ALIPAY_WORDS } from './words';

/**
 * Alipay's trade bill for a day: the signed download-URL query (answer signature verified), then
 * the file itself right away (the link lives 30 s; the file is not signed), then the zip read.
 */

const apiError = (ctx: Ctx, message: string, description: string, itemIndex: number) => {
	const error = new NodeApiError(ctx.getNode(), { message }, { message, description, itemIndex });
	error.message = message;
	return error;
};

async function download(ctx: Ctx, url: string, billDate: string, itemIndex: number): Promise<Uint8Array> {
	let response: { statusCode: number; body: unknown };
	try {
		response = (await ctx.helpers.httpRequest({ method: 'GET', url, encoding: 'arraybuffer', returnFullResponse: true, ignoreHttpStatusErrors: true, timeout: 60_000 })) as typeof response;
	} catch (error) {
		throw apiError(ctx, `Alipay: the bill file for ${billDate} could not be downloaded (${networkCode(error) ?? 'network error'})`, 'Nothing was changed. Run the node again.', itemIndex);
	}
	const body = response.body;
	const bytes = Buffer.isBuffer(body) ? new Uint8Array(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : new TextEncoder().encode(String(body ?? ''));
	if (response.statusCode === 200 && bytes[0] === 0x50 && bytes[1] === 0x4b) return bytes;
	const text = new TextDecoder().decode(bytes.subarray(0, 300));
	if (text.includes(WORDS.expired)) {
		throw apiError(ctx, `Alipay: the bill download URL for ${billDate} expired before it was fetched`, 'Alipay keeps a bill link valid for 30 seconds. Run the node again; it asks for a new link and downloads it at once.', itemIndex);
	}
	throw apiError(ctx, `Alipay: the bill download answered HTTP ${response.statusCode} without a zip file`, 'The link may be wrong or expired. Run the node again.', itemIndex);
}

/** Every row of the day's trade bill as items (details, then summary); errors name what went wrong. */
export async function getAlipayBill(ctx: Ctx, creds: AlipayCredentials, billDate: string, itemIndex: number): Promise<IDataObject[]> {
	const reply = await callAlipay(ctx, creds, ALIPAY_BILL_METHOD, { bill_type: 'trade', bill_date: billDate });
	if (reply.kind === 'refused') throw providerRefusal(ctx.getNode(), ALIPAY_WORDS, reply.code, reply.message, itemIndex);
	if (reply.kind === 'unknown') throw apiError(ctx, `Alipay: no usable answer to the bill query (${reply.why})`, 'Nothing was changed. Check the credential and the network, then run it again.', itemIndex);
	const url = reply.value.bill_download_url;
	if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw apiError(ctx, 'Alipay answered the bill query without a download URL', 'Run the node again later.', itemIndex);
	const zip = await download(ctx, url, billDate, itemIndex);
	const items = await readAlipayBill(zip, billDate).catch((error: Error) => error);
	if (!(items instanceof Error)) return items;
	const message = `Alipay bill for ${billDate}: ${items.message}`;
	if (items instanceof BillError || items instanceof ZipError) {
		throw new NodeOperationError(ctx.getNode(), message, { description: 'The downloaded file is incomplete or damaged. Run the node again to download it anew.', itemIndex });
	}
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex });
}
