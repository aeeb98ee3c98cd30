import type { IDataObject } from 'n8n-workflow';

import type { Ctx } from '../payments/http';
import { BillFileError, checkBillHash, gunzipBill, parseWeChatBill, type ParsedBill } from './billFile';
import { weChatCall, weChatDownload } from './client';
import type { WeChatPayCredentials } from './credentials';

/**
 * Bill → Get: `GET /v3/bill/tradebill` (signed, answer verified) → `{hash_type, hash_value,
 * download_url}`; then the file, fetched at once (the link lives 30 s) with a signed GET whose
 * answer is not signed; gunzip; SHA1 over the decompressed file; parse.
 */

export type BillType = 'ALL' | 'SUCCESS' | 'REFUND';
export const BILL_TYPES: readonly BillType[] = ['ALL', 'SUCCESS', 'REFUND'];

/** What went wrong, for the node to turn into an error: `refused` carries WeChat Pay's code. */
export type BillFailure = { refused: { code: string; message: string; status?: number } } | { failed: string };
export type BillResult = { bill: ParsedBill } | { noBill: true } | BillFailure;

/** The link must lead to WeChat Pay (or the credential's own Base URL): the signed request goes there. */
function trustedLink(creds: WeChatPayCredentials, link: unknown): URL | undefined {
	let url: URL;
	try {
		url = new URL(String(link));
	} catch {
		return undefined;
	}
	const own = new URL(creds.baseUrl);
	if (url.origin === own.origin) return url;
	return url.protocol === 'https:' && /(^|\.)weixin\.qq\.com$/.test(url.hostname) ? url : undefined;
}

export async function getBill(ctx: Ctx, creds: WeChatPayCredentials, billDate: string, billType: BillType): Promise<BillResult> {
	const query = new URLSearchParams({ bill_date: billDate, bill_type: billType, tar_type: 'GZIP' });
	const reply = await weChatCall(ctx, creds, 'GET', `/v3/bill/tradebill?${query.toString()}`);
	if (reply.kind === 'unknown') return { failed: `could not apply for the bill: ${reply.why}` };
	if (reply.kind === 'refused') {
		if (reply.code === 'NO_STATEMENT_EXIST') return { noBill: true };
		return { refused: { code: reply.code, message: reply.message, status: reply.status } };
	}
	const answer: IDataObject = reply.value;
	const url = trustedLink(creds, answer.download_url);
	if (!url) return { failed: 'the bill answer has no download_url on WeChat Pay (or the credential\'s Base URL)' };
	const download = await weChatDownload(ctx, creds, url);
	if ('error' in download) return { failed: `the bill download got no answer (${download.error})` };
	if ('refused' in download) return { failed: `the bill's download URL was refused (HTTP ${download.status}: ${download.refused}); it is valid for 30 seconds only, so it may have expired — run the node again for a new one` };
	try {
		const plain = await gunzipBill(download.bytes);
		checkBillHash(plain, answer.hash_type, answer.hash_value);
		return { bill: parseWeChatBill(plain.toString('utf8'), { bill_date: billDate, bill_type: billType }) };
	} catch (error) {
		// BillFileError says what is wrong with the file; anything else is shown as it is.
		return { failed: error instanceof BillFileError ? error.message : `the bill could not be read (${(error as Error).message})` };
	}
}
