import { createHash, randomBytes } from 'crypto';
import { performance } from 'perf_hooks';
import { gzipSync } from 'zlib';

import type { VirtualClock } from '../clock';
import { WECHAT_APP_ID, WECHAT_MCH_ID } from './keys';
import { chinaTime, type Ledger, type Payment, type Refund, yuan } from './ledger';

/**
 * WeChat Pay trade bills (交易账单) of the sandbox's own ledger, in the layout of
 * pay.weixin.qq.com › bill-download › format-trade: a UTF-8 file (with BOM, CRLF lines) of a detail
 * header, detail rows, a summary header and one summary row; every data field starts with a
 * backtick; amounts in yuan. Payments count on their pay date, refunds on the date they were
 * accepted, with the refund status as it was when the bill was made (a snapshot, as WeChat's).
 * A day's bill is ready at 10:00 China time the next day (sandbox clock).
 */

export type WeChatBillType = 'ALL' | 'SUCCESS' | 'REFUND';
export const WECHAT_BILL_TYPES: readonly WeChatBillType[] = ['ALL', 'SUCCESS', 'REFUND'];

const HEAD = ['交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类', '应结订单金额', '代金券金额'];
const REFUND_PART = ['微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态'];
const TAIL = ['商品名称', '商户数据包', '手续费', '费率'];
export const WECHAT_BILL_HEADERS: Record<WeChatBillType, string[]> = {
	ALL: [...HEAD, ...REFUND_PART, ...TAIL, '订单金额', '申请退款金额', '费率备注'],
	SUCCESS: [...HEAD, ...TAIL, '订单金额', '费率备注'],
	REFUND: [...HEAD, '退款申请时间', '退款成功时间', ...REFUND_PART, ...TAIL, '订单金额', '申请退款金额', '费率备注'],
};
export const WECHAT_BILL_SUMMARY_HEADER = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'];

const FEE_RATE = 0.006;
const DAY_MS = 86400_000;
/** Ready at 10:00 the next day. */
const READY_AFTER_MS = DAY_MS + 10 * 3600_000;
/** Bills of at most about three months back. */
const OLDEST_DAYS = 92;
export const BILL_URL_SECONDS = 30;

/** Start of a China calendar day (epoch ms), or NaN. */
export const chinaDayStart = (billDate: string): number => (/^\d{4}-\d\d-\d\d$/.test(billDate) ? Date.parse(`${billDate}T00:00:00+08:00`) : NaN);
/** Fee in yuan with WeChat's five decimals; negative for a refund (the fee given back). */
const feeText = (fen: number): string => ((fen * FEE_RATE) / 100).toFixed(5);
/** A field as written: text fields lose what would break the line (WeChat's files have no quoting). */
const clean = (text: string): string => text.replace(/[,\r\n`]/g, ' ');

function paymentRow(type: WeChatBillType, p: Payment): string[] {
	const fields: Record<string, string> = {
		...common(p),
		交易时间: chinaTime(p.paidAt),
		交易状态: 'SUCCESS',
		应结订单金额: yuan(p.totalFen),
		微信退款单号: '0',
		商户退款单号: '0',
		退款金额: '0.00',
		充值券退款金额: '0.00',
		退款类型: '',
		退款状态: '',
		手续费: feeText(p.totalFen),
		订单金额: yuan(p.totalFen),
		申请退款金额: '0.00',
	};
	return WECHAT_BILL_HEADERS[type].map((name) => fields[name] ?? '');
}

function refundRow(type: WeChatBillType, r: Refund, p: Payment): string[] {
	const fields: Record<string, string> = {
		...common(p),
		// ALL has no refund-time column: its refund rows are dated when the refund was accepted.
		交易时间: chinaTime(type === 'REFUND' ? p.paidAt : r.createdAt),
		交易状态: 'REFUND',
		应结订单金额: '0.00',
		退款申请时间: chinaTime(r.createdAt),
		退款成功时间: r.successAt ? chinaTime(r.successAt) : '',
		微信退款单号: r.refundId,
		商户退款单号: r.refundKey,
		退款金额: yuan(r.refundFen),
		充值券退款金额: '0.00',
		退款类型: 'ORIGINAL',
		退款状态: r.status,
		手续费: `-${feeText(r.refundFen)}`,
		订单金额: '0.00',
		申请退款金额: yuan(r.refundFen),
	};
	return WECHAT_BILL_HEADERS[type].map((name) => fields[name] ?? '');
}

function common(p: Payment): Record<string, string> {
	return {
		公众账号ID: WECHAT_APP_ID,
		商户号: WECHAT_MCH_ID,
		特约商户号: '0',
		设备号: '',
		微信订单号: p.transactionId,
		商户订单号: p.outTradeNo,
		用户标识: p.payer,
		交易类型: 'NATIVE',
		付款银行: 'OTHERS',
		货币种类: 'CNY',
		代金券金额: '0.00',
		商品名称: clean(p.subject),
		商户数据包: clean(p.attach),
		费率: '0.60%',
		费率备注: '',
	};
}

/** The bill file's text for one day (undefined: no row that day), exactly as WeChat Pay lays it out. */
export function weChatBillText(ledger: Ledger, billDate: string, type: WeChatBillType): string | undefined {
	const from = chinaDayStart(billDate);
	const within = (at: Date): boolean => at.getTime() >= from && at.getTime() < from + DAY_MS;
	const rows: Array<{ at: number; fields: string[]; settleFen: number; refundFen: number; feeFen: number; orderFen: number }> = [];
	if (type !== 'REFUND') {
		for (const p of ledger.allPayments().filter((x) => x.provider === 'weChatPay' && within(x.paidAt))) {
			rows.push({ at: p.paidAt.getTime(), fields: paymentRow(type, p), settleFen: p.totalFen, refundFen: 0, feeFen: p.totalFen * FEE_RATE, orderFen: p.totalFen });
		}
	}
	if (type !== 'SUCCESS') {
		for (const r of ledger.refunds().filter((x) => x.provider === 'weChatPay' && within(x.createdAt))) {
			const p = ledger.payment('weChatPay', r.outTradeNo) as Payment;
			rows.push({ at: r.createdAt.getTime(), fields: refundRow(type, r, p), settleFen: 0, refundFen: r.refundFen, feeFen: -r.refundFen * FEE_RATE, orderFen: 0 });
		}
	}
	if (rows.length === 0) return undefined;
	rows.sort((a, b) => a.at - b.at);
	const sum = (key: 'settleFen' | 'refundFen' | 'orderFen') => yuan(rows.reduce((total, row) => total + row[key], 0));
	const summary = [String(rows.length), sum('settleFen'), sum('refundFen'), '0.00', (rows.reduce((t, row) => t + row.feeFen, 0) / 100).toFixed(5), sum('orderFen'), sum('refundFen')];
	const data = (fields: string[]) => fields.map((field) => `\`${field}`).join(',');
	const lines = [WECHAT_BILL_HEADERS[type].join(','), ...rows.map((row) => data(row.fields)), WECHAT_BILL_SUMMARY_HEADER.join(','), data(summary)];
	return `\uFEFF${lines.map((l) => `${l}\r\n`).join('')}`;
}

export type BillRequest = { ok: true; hash: string; token: string } | { ok: false; status: number; code: string; message: string };

/** What goes wrong with the next download (test faults): a file unlike its hash, a cut-off file, a link already expired. */
export type WeChatBillFault = 'alter' | 'truncate' | 'expire';
export const WECHAT_BILL_FAULTS: readonly WeChatBillFault[] = ['alter', 'truncate', 'expire'];

interface Link {
	bytes: Buffer;
	plain: Buffer;
	gzip: boolean;
	issuedVirtual: number;
	issuedReal: number;
}

/** Made bills (snapshots) and their download links. */
export class WeChatBills {
	private readonly made = new Map<string, string | undefined>();
	private readonly links = new Map<string, Link>();
	/** Armed by the admin API; used by the next download. */
	fault?: WeChatBillFault;

	constructor(
		private readonly ledger: Ledger,
		private readonly clock: VirtualClock,
	) {}

	/** `GET /v3/bill/tradebill`: the checks WeChat Pay makes, then a link to the (gzipped) file and its SHA1. */
	request(billDate: string, billType: string, tarType: string | undefined): BillRequest {
		const refuse = (status: number, code: string, message: string): BillRequest => ({ ok: false, status, code, message });
		const day = chinaDayStart(billDate);
		if (Number.isNaN(day) || new Date(day + 8 * 3600_000).toISOString().slice(0, 10) !== billDate) return refuse(400, 'PARAM_ERROR', '参数错误：bill_date 格式须为 yyyy-MM-DD');
		if (!WECHAT_BILL_TYPES.includes(billType as WeChatBillType)) return refuse(400, 'PARAM_ERROR', '参数错误：bill_type 须为 ALL、SUCCESS 或 REFUND');
		if (tarType !== undefined && tarType !== 'GZIP') return refuse(400, 'PARAM_ERROR', '参数错误：tar_type 仅支持 GZIP');
		const now = this.clock.now();
		if (day > now) return refuse(400, 'PARAM_ERROR', '参数错误：bill_date 不能晚于今天');
		if (now - day > OLDEST_DAYS * DAY_MS) return refuse(400, 'PARAM_ERROR', '仅支持三个月内的账单下载申请');
		if (now < day + READY_AFTER_MS) return refuse(400, 'STATEMENT_CREATING', '账单生成中，请在次日10点后再获取');
		const key = `${billDate}|${billType}`;
		// Made once, at the first request after it is ready: later refund changes do not show.
		if (!this.made.has(key)) this.made.set(key, weChatBillText(this.ledger, billDate, billType as WeChatBillType));
		const text = this.made.get(key);
		if (text === undefined) return refuse(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
		const plain = Buffer.from(text, 'utf8');
		const token = randomBytes(16).toString('hex');
		this.links.set(token, { bytes: tarType === 'GZIP' ? gzipSync(plain) : plain, plain, gzip: tarType === 'GZIP', issuedVirtual: now, issuedReal: performance.now() });
		return { ok: true, hash: createHash('sha1').update(plain).digest('hex'), token };
	}

	/**
	 * The file behind a link, or undefined when the link is unknown or older than 30 s. The 30 s are
	 * real seconds plus any jump of the clock: a time-scaled day must not expire a link in 30 ms.
	 */
	download(token: string): Buffer | undefined {
		const link = this.links.get(token);
		if (!link) return undefined;
		const realMs = performance.now() - link.issuedReal;
		const jumpedMs = this.clock.now() - link.issuedVirtual - realMs / this.clock.scale;
		const fault = this.fault;
		this.fault = undefined;
		if (realMs + jumpedMs > BILL_URL_SECONDS * 1000 || fault === 'expire') {
			this.links.delete(token);
			return undefined;
		}
		if (fault === 'truncate') return link.bytes.subarray(0, Math.floor(link.bytes.length * 0.6));
		if (fault === 'alter') {
			const altered = Buffer.from(link.plain.toString('utf8').replace(/`(\d+)\.(\d\d)/, (_m, a: string, b: string) => `\`${Number(a) + 1}.${b}`), 'utf8');
			return link.gzip ? gzipSync(altered) : altered;
		}
		return link.bytes;
	}

	reset(): void {
		this.made.clear();
		this.links.clear();
		this.fault = undefined;
	}
}
