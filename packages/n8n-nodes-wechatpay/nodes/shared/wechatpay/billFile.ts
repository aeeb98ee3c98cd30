import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { chinaTimeToIso } from '../common/chinaTime';
import { parseAttach } from '../payments/attach';

/**
 * WeChat Pay trade bill files (交易账单, pay.weixin.qq.com › bill-download › format-trade): a
 * detail header, detail rows, a summary header, the summary row; every data field starts with a
 * backtick; amounts in yuan. Columns are read by name (WeChat says their order may change), each
 * mapped to an English field below; a column this table does not know lands in `extra` as it is.
 */

type Kind = 'text' | 'yuan' | 'time' | 'attach' | 'id' | 'count';

/** Bill column (as WeChat writes it) → output field. ALL, SUCCESS and REFUND bills use subsets of these. */
export const BILL_COLUMNS: Record<string, [field: string, kind: Kind]> = {
	交易时间: ['trade_time', 'time'],
	公众账号ID: ['appid', 'text'],
	商户号: ['mchid', 'text'],
	特约商户号: ['sub_mchid', 'id'],
	设备号: ['device_info', 'text'],
	微信订单号: ['transaction_id', 'text'],
	商户订单号: ['out_trade_no', 'text'],
	用户标识: ['openid', 'text'],
	交易类型: ['trade_type', 'text'],
	交易状态: ['trade_state', 'text'],
	付款银行: ['bank_type', 'text'],
	货币种类: ['currency', 'text'],
	应结订单金额: ['settlement_amount', 'yuan'],
	代金券金额: ['coupon_amount', 'yuan'],
	退款申请时间: ['refund_create_time', 'time'],
	退款成功时间: ['refund_success_time', 'time'],
	微信退款单号: ['refund_id', 'id'],
	商户退款单号: ['out_refund_no', 'id'],
	退款金额: ['refund_amount', 'yuan'],
	充值券退款金额: ['recharge_coupon_refund_amount', 'yuan'],
	退款类型: ['refund_type', 'text'],
	退款状态: ['refund_status', 'text'],
	商品名称: ['description', 'text'],
	商户数据包: ['attach', 'attach'],
	手续费: ['fee', 'yuan'],
	费率: ['fee_rate', 'text'],
	订单金额: ['order_amount', 'yuan'],
	申请退款金额: ['requested_refund_amount', 'yuan'],
	费率备注: ['fee_rate_note', 'text'],
};

/** Summary column → output field. */
export const SUMMARY_COLUMNS: Record<string, [field: string, kind: Kind]> = {
	总交易单数: ['trade_count', 'count'],
	应结订单总金额: ['settlement_total', 'yuan'],
	退款总金额: ['refund_total', 'yuan'],
	充值券退款总金额: ['recharge_coupon_refund_total', 'yuan'],
	手续费总金额: ['fee_total', 'yuan'],
	订单总金额: ['order_total', 'yuan'],
	申请退款总金额: ['requested_refund_total', 'yuan'],
};

/** A bill that cannot be read: the message says what is wrong and where. */
export class BillFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BillFileError';
	}
}

export interface ParsedBill {
	/** One per detail row, `row_type: 'trade'`. */
	rows: IDataObject[];
	/** The summary row, `row_type: 'summary'`. */
	summary: IDataObject;
}

function value(kind: Kind, raw: string, where: string): IDataObject | string | number | null {
	if (kind === 'yuan' || kind === 'count') {
		if (raw === '') return null;
		const number = Number(raw);
		if (!Number.isFinite(number) || !/^-?\d+(\.\d+)?$/.test(raw)) throw new BillFileError(`${where} is not a number: "${raw.slice(0, 40)}"`);
		return number;
	}
	if (kind === 'time') {
		if (raw === '') return null;
		const iso = chinaTimeToIso(raw);
		if (!iso) throw new BillFileError(`${where} is not a date-time: "${raw.slice(0, 40)}"`);
		return iso;
	}
	// WeChat writes 0 where a payment row has no refund number (and a merchant no sub-merchant).
	if (kind === 'id') return raw === '' || raw === '0' ? null : raw;
	if (kind === 'attach') return raw === '' ? '' : (parseAttach(raw) ?? raw);
	return raw;
}

/** A data line's fields without their leading backtick. */
function fieldsOf(line: string): string[] {
	return line.split(',').map((field) => (field.startsWith('`') ? field.slice(1) : field));
}

function record(header: string[], line: string, columns: Record<string, [string, Kind]>, where: string): IDataObject {
	const fields = fieldsOf(line);
	if (fields.length !== header.length) throw new BillFileError(`${where} has ${fields.length} fields but the header has ${header.length} (truncated or damaged file)`);
	const out: IDataObject = {};
	const extra: IDataObject = {};
	header.forEach((name, i) => {
		const known = columns[name];
		if (known) out[known[0]] = value(known[1], fields[i], `${where}, column ${known[0]}`);
		else extra[name] = fields[i];
	});
	if (Object.keys(extra).length > 0) out.extra = extra;
	return out;
}

/** The file's text → items. Throws BillFileError naming what is missing or malformed. */
export function parseWeChatBill(text: string, context: IDataObject = {}): ParsedBill {
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	const header = (lines[0] ?? '').split(',');
	if (!header.includes('交易时间') || !header.includes('商户订单号')) throw new BillFileError('the file is not a WeChat Pay trade bill (its first line is not the detail header)');
	let at = 1;
	const rows: IDataObject[] = [];
	for (; at < lines.length && lines[at].startsWith('`'); at++) {
		rows.push({ row_type: 'trade', ...context, ...record(header, lines[at], BILL_COLUMNS, `bill row ${at}`) });
	}
	if (at >= lines.length) throw new BillFileError('the bill ends before its summary (truncated file)');
	const summaryHeader = lines[at].split(',');
	if (summaryHeader[0] !== '总交易单数') throw new BillFileError(`line ${at + 1} is neither a bill row nor the summary header (damaged file)`);
	if (at + 1 >= lines.length) throw new BillFileError('the bill has a summary header but no summary row (truncated file)');
	if (at + 2 < lines.length) throw new BillFileError(`the bill has ${lines.length - at - 2} unexpected line(s) after its summary`);
	const summary: IDataObject = { row_type: 'summary', ...context, ...record(summaryHeader, lines[at + 1], SUMMARY_COLUMNS, 'the summary row') };
	if (summary.trade_count !== rows.length) throw new BillFileError(`the summary counts ${String(summary.trade_count)} rows but the bill has ${rows.length} (truncated or damaged file)`);
	return { rows, summary };
}

/** gzip → bytes (the global DecompressionStream, as n8n Cloud allows). Throws BillFileError on a truncated or damaged file. */
export async function gunzipBill(bytes: Buffer): Promise<Buffer> {
	let why = '';
	try {
		const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
		return Buffer.from(await new Response(stream).arrayBuffer());
	} catch (error) {
		why = (error as Error).message;
	}
	throw new BillFileError(`the downloaded bill is not a complete gzip file (truncated or damaged download: ${why})`);
}

/** WeChat's hash is over the decompressed file. */
export function checkBillHash(plain: Buffer, hashType: unknown, hashValue: unknown): void {
	if (String(hashType).toUpperCase() !== 'SHA1' || typeof hashValue !== 'string') throw new BillFileError(`the bill answer has no SHA1 hash (hash_type "${String(hashType)}")`);
	const actual = createHash('sha1').update(plain).digest('hex');
	if (actual !== hashValue.toLowerCase()) throw new BillFileError(`the bill's SHA1 hash does not match: hash_value says ${hashValue}, the file has ${actual} (altered or incomplete download)`);
}
