import type { WeChatBills } from './weChatBill';
import { refusal, type WeChatAnswer } from './weChatAnswer';

/** The two bill routes of WeChat Pay APIv3: apply for a trade bill, then download the file. */

export const WECHAT_BILL_DOWNLOAD_PATH = '/v3/billdownload/file';

/** `GET /v3/bill/tradebill?bill_date=&bill_type=&tar_type=` → `{hash_type, hash_value, download_url}`. */
export function tradeBill(bills: WeChatBills, query: URLSearchParams, origin: string): WeChatAnswer {
	const billType = query.get('bill_type') ?? 'ALL';
	const made = bills.request(query.get('bill_date') ?? '', billType, query.get('tar_type') ?? undefined);
	if (!made.ok) return refusal(made.status, made.code, made.message);
	return {
		status: 200,
		body: { hash_type: 'SHA1', hash_value: made.hash, download_url: `${origin}${WECHAT_BILL_DOWNLOAD_PATH}?token=${made.token}` },
		code: `bill ${billType}`,
	};
}

/** The file itself (a signed GET; the answer is the bytes, unsigned), or WeChat's refusal of a stale link. */
export function billDownload(bills: WeChatBills, token: string): WeChatAnswer {
	const file = bills.download(token);
	if (!file) return refusal(400, 'INVALID_REQUEST', '下载链接已过期或无效，请重新申请账单');
	return { status: 200, body: {}, code: `file ${file.length} bytes`, file };
}
