import { randomBytes } from 'crypto';

import { csvField } from '../../packages/shared/csvText';
import { DETAIL_COLUMNS, SUMMARY_COLUMNS, TOTAL_ROW } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/billLayout';
import { encodeGbk, writeZip } from './alipayBillZip';
import { chinaTime, type Ledger, yuan } from './ledger';

/**
 * Alipay trade bills (bill_type "trade") of the sandbox's own ledger, in Alipay's layout: "#"
 * comment lines, a header, detail rows padded with a tab, the totals; the summary file; both GBK
 * in a zip. A day's bill is ready at 10:00 China time the next day (sandbox clock); a download
 * link lives 30 s.
 */

export const ALIPAY_PID = '2088621000000001';
/** Alipay writes the account as the PID followed by 0156. */
const ACCOUNT = `${ALIPAY_PID}0156`;
export const BILL_URL_TTL_MS = 30_000;
const READY_AFTER_MS = (24 + 10) * 3600_000;
const CHINA_MS = 8 * 3600_000;
const FEE_RATE = 0.006;

const DASHES = '-'.repeat(41);
const line = (...fields: string[]) => fields.map(csvField).join(',');
/** Detail fields carry a trailing tab (so spreadsheets keep long numbers as text). */
const padded = (...fields: string[]) => fields.map((field) => `${csvField(field)}\t`).join(',');
const fee = (fen: number) => Math.round(fen * FEE_RATE);
/** "2026-11-30" → "2026年11月30日 00:00:00", and the next day. */
const chineseDate = (ms: number) => {
	const d = new Date(ms + CHINA_MS).toISOString();
	return `${d.slice(0, 4)}年${d.slice(5, 7)}月${d.slice(8, 10)}日 ${d.slice(11, 19)}`;
};
/** Start of a China calendar day, epoch ms. */
export const dayStart = (billDate: string) => Date.parse(`${billDate}T00:00:00+08:00`);

interface Row {
	at: number;
	fields: string[];
	receiptFen: number;
	feeFen: number;
	refund: boolean;
	orderFen: number;
}

function rowsOf(ledger: Ledger, from: number, to: number): Row[] {
	const rows: Row[] = [];
	const within = (at: Date) => at.getTime() >= from && at.getTime() < to;
	const payments = ledger.allPayments().filter((p) => p.provider === 'alipay');
	for (const p of payments.filter((payment) => within(payment.paidAt))) {
		const f = fee(p.totalFen);
		const fields = [p.transactionId, p.outTradeNo, '交易', p.subject, chinaTime(p.paidAt), chinaTime(p.paidAt), '', '', '', '', p.payer, yuan(p.totalFen), yuan(p.totalFen), '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', '', yuan(-f), '0.00', p.attach];
		rows.push({ at: p.paidAt.getTime(), fields, receiptFen: p.totalFen, feeFen: -f, refund: false, orderFen: p.totalFen });
	}
	for (const r of ledger.refunds().filter((refund) => refund.provider === 'alipay' && refund.successAt && within(refund.successAt))) {
		const p = ledger.payment('alipay', r.outTradeNo);
		if (!p) continue;
		const f = fee(r.refundFen);
		const fields = [p.transactionId, p.outTradeNo, '退款', p.subject, chinaTime(p.paidAt), chinaTime(r.successAt as Date), '', '', '', '', p.payer, yuan(p.totalFen), yuan(-r.refundFen), '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', r.refundKey, yuan(f), '0.00', p.attach];
		rows.push({ at: (r.successAt as Date).getTime(), fields, receiptFen: -r.refundFen, feeFen: f, refund: true, orderFen: 0 });
	}
	return rows.sort((a, b) => a.at - b.at);
}

const sum = (rows: Row[], pick: (row: Row) => number) => rows.reduce((total, row) => total + pick(row), 0);

/** The two CSV texts of a day's trade bill (UTF-16 strings; GBK-encoded by `billZip`). */
export function billTexts(ledger: Ledger, billDate: string, exportedAt: Date): { details: string; summary: string } {
	const from = dayStart(billDate);
	const rows = rowsOf(ledger, from, from + 86_400_000);
	const payments = rows.filter((row) => !row.refund);
	const refunds = rows.filter((row) => row.refund);
	const head = (title: string) => [`#${title}`, `#账号：[${ACCOUNT}]`, `#起始日期：[${chineseDate(from)}]   终止日期：[${chineseDate(from + 86_400_000)}]`];
	const exported = `#导出时间：[${chineseDate(exportedAt.getTime())}]`;
	const details = [
		...head('支付宝业务明细查询'),
		`#${DASHES}业务明细列表${'-'.repeat(40)}`,
		line(...DETAIL_COLUMNS.map((column) => column[0])),
		...rows.map((row) => padded(...row.fields)),
		`#${DASHES}业务明细列表结束${'-'.repeat(36)}`,
		`#交易合计：${payments.length}笔，商家实收共${yuan(sum(payments, (r) => r.receiptFen))}元，商家优惠共0.00元`,
		`#退款合计：${refunds.length}笔，商家实收退款共${yuan(sum(refunds, (r) => r.receiptFen))}元，商家优惠退款共0.00元`,
		exported,
	];
	const receipt = sum(rows, (r) => r.receiptFen);
	const fees = sum(rows, (r) => r.feeFen);
	const totals = [TOTAL_ROW, '', String(payments.length), String(refunds.length), yuan(sum(rows, (r) => r.orderFen)), yuan(receipt), '0.00', '0.00', '0.00', yuan(fees), '0.00', yuan(receipt + fees)];
	const summary = [
		...head('支付宝业务汇总查询'),
		`#${DASHES}业务汇总列表${'-'.repeat(40)}`,
		line(...SUMMARY_COLUMNS.map((column) => column[0])),
		line(...totals),
		`#${'-'.repeat(40)}业务汇总列表结束${'-'.repeat(37)}`,
		exported,
	];
	return { details: details.join('\r\n') + '\r\n', summary: summary.join('\r\n') + '\r\n' };
}

const compact = (billDate: string) => billDate.replace(/-/g, '');

/** The zip Alipay's link downloads: "<account>_<yyyyMMdd>_业务明细.csv" and "…_业务明细(汇总).csv", GBK. */
export function billZip(ledger: Ledger, billDate: string, exportedAt: Date): Buffer {
	const { details, summary } = billTexts(ledger, billDate, exportedAt);
	const base = `${ACCOUNT}_${compact(billDate)}`;
	return writeZip(
		[
			{ name: `${base}_业务明细.csv`, content: encodeGbk(details) },
			{ name: `${base}_业务明细(汇总).csv`, content: encodeGbk(summary) },
		],
		exportedAt,
	);
}

/** Whether the day's bill exists at `now` (virtual ms): from 10:00 China time the next day. */
export const billReady = (billDate: string, now: number) => now >= dayStart(billDate) + READY_AFTER_MS;

/** Download links: the zip as made when the link was asked for, valid 30 s of sandbox time. */
export class AlipayBillLinks {
	private readonly links = new Map<string, { zip: Buffer; expiresAt: number }>();

	create(origin: string, ledger: Ledger, billDate: string, now: number): string {
		for (const [token, link] of this.links) if (link.expiresAt <= now) this.links.delete(token);
		const token = randomBytes(16).toString('hex');
		this.links.set(token, { zip: billZip(ledger, billDate, new Date(now)), expiresAt: now + BILL_URL_TTL_MS });
		const file = `${ACCOUNT}_${compact(billDate)}.csv.zip`;
		const query = new URLSearchParams({ bizType: 'trade', userId: ACCOUNT, fileType: 'csv.zip', bizDates: compact(billDate), downloadFileName: file, fileId: `/trade/${ACCOUNT}/${compact(billDate)}.csv.zip`, timestamp: String(Math.floor(now)), token });
		return `${origin}/downloadBillFile.resource?${query.toString()}`;
	}

	/** The zip, or why not: an unknown token, or one past its 30 s. */
	download(token: string, now: number): { zip: Buffer } | { expired: boolean } {
		const link = this.links.get(token);
		if (!link) return { expired: false };
		if (link.expiresAt <= now) return { expired: true };
		return { zip: link.zip };
	}

	reset(): void {
		this.links.clear();
	}
}
