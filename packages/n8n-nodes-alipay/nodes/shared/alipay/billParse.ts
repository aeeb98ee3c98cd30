import type { IDataObject } from 'n8n-workflow';

import { parseAttach } from '../payments/attach';
import { csvFields, csvLines } from '../payments/csvText';
import { unzip } from '../payments/zipArchive';
import { BILL_TIME, BUSINESS_TYPES, DETAIL_COLUMNS, SUMMARY_COLUMNS, TOTAL_ROW, WORDS, type Column } from './billLayout';

/** Alipay's trade bill, zip → GBK text → items: one per detail row (`row_type: 'trade'`) and per summary row. */

export class BillError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BillError';
	}
}

/** The columns a row cannot do without. */
const REQUIRED = ['trade_no', 'out_trade_no', 'business_type', 'order_amount', 'receipt_amount', 'payment_count', 'refund_count'];

function gbk(bytes: Uint8Array, what: string): string {
	let text: string | undefined;
	try {
		text = new TextDecoder('gbk', { fatal: true }).decode(bytes);
	} catch {
		text = undefined;
	}
	if (text === undefined) throw new BillError(`the ${what} file is not GBK text as Alipay writes it`);
	return text;
}

function value(column: Column, raw: string, where: string): unknown {
	const [, field, kind] = column;
	const text = raw.trim(); // Alipay pads each field with a tab
	if (kind === 'text') return text;
	if (kind === 'remark') return parseAttach(text) ?? text;
	if (kind === 'type') return BUSINESS_TYPES[text] ?? text;
	if (text === '') return null;
	if (kind === 'time') {
		if (!BILL_TIME.test(text)) throw new BillError(`${where}: "${field}" is not a date-time (${text})`);
		return `${text.replace(' ', 'T')}+08:00`;
	}
	const number = Number(text);
	if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(number)) throw new BillError(`${where}: "${field}" is not a number (${text})`);
	if (kind === 'count' && !Number.isInteger(number)) throw new BillError(`${where}: "${field}" is not a whole number (${text})`);
	return number;
}

interface Section {
	rows: IDataObject[];
	/** The comment lines after the list (totals, export time). */
	footer: string[];
	/** The comment lines before it (account, period). */
	header: string[];
}

/** The list between "#---…<list>---…" and "#---…<list>结束---…", mapped to fields by its header line. */
function section(text: string, list: string, columns: readonly Column[], what: string): Section {
	const lines = csvLines(text);
	const start = lines.findIndex((line) => line.startsWith('#') && line.includes(list) && !line.includes(list + WORDS.listEnd));
	if (start < 0 || start + 1 >= lines.length) throw new BillError(`the ${what} file has no list: it is truncated or not an Alipay trade bill`);
	const names = csvFields(lines[start + 1]).map((name) => name.trim());
	const at = columns.map((column) => names.indexOf(column[0]));
	const missing = columns.filter((column, i) => at[i] < 0 && REQUIRED.includes(column[1])).map((column) => column[1]);
	if (missing.length > 0) throw new BillError(`the ${what} file has no column for ${missing.join(', ')}`);
	const rows: IDataObject[] = [];
	let end = start + 2;
	for (; end < lines.length && !lines[end].startsWith('#'); end++) {
		if (lines[end].trim() === '') continue;
		const fields = csvFields(lines[end]);
		const where = `${what} row ${rows.length + 1}`;
		if (fields.length < names.length) throw new BillError(`${where} has ${fields.length} fields, its header ${names.length}: the file is truncated`);
		const row: IDataObject = {};
		columns.forEach((column, i) => {
			if (at[i] >= 0) row[column[1]] = value(column, fields[at[i]], where) as IDataObject[string];
		});
		rows.push(row);
	}
	if (end >= lines.length || !lines[end].includes(list + WORDS.listEnd)) throw new BillError(`the ${what} file is truncated: its end-of-list line is missing`);
	return { rows, header: lines.slice(0, start), footer: lines.slice(end + 1) };
}

/** "#起始日期：[2026年11月30日 00:00:00] …" → "2026-11-30". */
function periodStart(comments: string[]): string | undefined {
	const line = comments.find((text) => text.includes(WORDS.period));
	const match = line ? /(\d{4})\D(\d\d)\D(\d\d)\D/.exec(line) : null;
	return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

/** "#交易合计：12笔，…" → 12. */
function footerCount(footer: string[], word: string): number | undefined {
	const line = footer.find((text) => text.includes(word));
	const match = line ? /(\d+)/.exec(line.slice(line.indexOf(word))) : null;
	return match ? Number(match[1]) : undefined;
}

/** The details file: one item per payment or refund row, checked against its footer's counts. */
export function parseAlipayDetails(text: string, billDate: string): IDataObject[] {
	const { rows, header, footer } = section(text, WORDS.detailsList, DETAIL_COLUMNS, 'details');
	const period = periodStart(header);
	if (period && period !== billDate) throw new BillError(`the bill is for ${period}, not for the Bill Date ${billDate}`);
	const counts = { payment: 0, refund: 0 };
	const items = rows.map((row) => {
		if (row.business_type === 'payment' || row.business_type === 'refund') counts[row.business_type]++;
		const item: IDataObject = { row_type: 'trade', bill_date: billDate, ...row };
		// A refund row's receipt is negative: the money that went back, as a positive amount too.
		if (row.business_type === 'refund' && typeof row.receipt_amount === 'number') item.refund_amount = Math.abs(row.receipt_amount);
		return item;
	});
	for (const [kind, word] of [['payment', WORDS.paymentsTotal], ['refund', WORDS.refundsTotal]] as const) {
		const said = footerCount(footer, word);
		if (said !== undefined && said !== counts[kind]) throw new BillError(`the details file lists ${counts[kind]} ${kind} rows but its footer counts ${said}: the file is incomplete`);
	}
	return items;
}

/** The summary file: one item per store and one for the total (`scope`). */
export function parseAlipaySummary(text: string, billDate: string): IDataObject[] {
	const { rows } = section(text, WORDS.summaryList, SUMMARY_COLUMNS, 'summary');
	return rows.map((row) => {
		const total = row.store_id === TOTAL_ROW;
		return { row_type: 'summary', bill_date: billDate, scope: total ? 'total' : 'store', ...row, store_id: total ? null : row.store_id };
	});
}

/** The downloaded zip → detail items, then summary items. */
export async function readAlipayBill(zip: Uint8Array, billDate: string): Promise<IDataObject[]> {
	const files = await unzip(zip, 'gbk');
	const names = [...files.keys()].filter((name) => name.toLowerCase().endsWith('.csv'));
	const summaryName = names.find((name) => name.includes(WORDS.summaryFile));
	const detailsName = names.find((name) => name.includes(WORDS.detailsFile) && name !== summaryName);
	if (!detailsName || !summaryName) throw new BillError(`the zip holds ${names.length} CSV files, not the details and summary files of a trade bill`);
	return [...parseAlipayDetails(gbk(files.get(detailsName)!, 'details'), billDate), ...parseAlipaySummary(gbk(files.get(summaryName)!, 'summary'), billDate)];
}
