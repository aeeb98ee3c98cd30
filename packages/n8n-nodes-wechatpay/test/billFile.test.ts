import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { BillFileError, checkBillHash, gunzipBill, parseWeChatBill } from '../nodes/shared/wechatpay/billFile';

/**
 * The bill file parser on fixtures written by hand from WeChat Pay's documented layout
 * (pay.weixin.qq.com › bill-download › format-trade): UTF-8 with BOM, CRLF, a header line, rows
 * whose every field starts with a backtick, the summary header and row.
 */

const HEAD = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额';
const ALL_HEADER = `${HEAD},微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注`;
const SUCCESS_HEADER = `${HEAD},商品名称,商户数据包,手续费,费率,订单金额,费率备注`;
const REFUND_HEADER = `${HEAD},退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注`;
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
const ORDER = '`wxd678efh567hg6787,`1900000109,`0,`,`4200001234202611300000000001,`DS100001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE';
const ATTACH = 'machine_no=10000001&order_id=1234';

const file = (...lines: string[]) => `\uFEFF${lines.map((line) => `${line}\r\n`).join('')}`;
const ALL = file(
	ALL_HEADER,
	`\`2026-11-30 09:15:02,${ORDER},\`SUCCESS,\`OTHERS,\`CNY,\`3.50,\`0.00,\`0,\`0,\`0.00,\`0.00,\`,\`,\`Cola,\`${ATTACH},\`0.02100,\`0.60%,\`3.50,\`0.00,\``,
	`\`2026-11-30 09:40:00,${ORDER},\`REFUND,\`OTHERS,\`CNY,\`0.00,\`0.00,\`50300202611300000000000001,\`dsr-1234-1,\`3.50,\`0.00,\`ORIGINAL,\`SUCCESS,\`Cola,\`${ATTACH},\`-0.02100,\`0.60%,\`0.00,\`3.50,\``,
	SUMMARY_HEADER,
	'`2,`3.50,`3.50,`0.00,`0.00000,`3.50,`3.50',
);

describe('WeChat Pay trade bill files', () => {
	it('ALL: one item per row with typed English fields, then the summary', () => {
		const { rows, summary } = parseWeChatBill(ALL, { bill_date: '2026-11-30', bill_type: 'ALL' });
		expect(rows).toHaveLength(2);
		expect(rows[0]).toEqual({
			row_type: 'trade',
			bill_date: '2026-11-30',
			bill_type: 'ALL',
			trade_time: '2026-11-30T09:15:02+08:00',
			appid: 'wxd678efh567hg6787',
			mchid: '1900000109',
			sub_mchid: null,
			device_info: '',
			transaction_id: '4200001234202611300000000001',
			out_trade_no: 'DS100001',
			openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
			trade_type: 'NATIVE',
			trade_state: 'SUCCESS',
			bank_type: 'OTHERS',
			currency: 'CNY',
			settlement_amount: 3.5,
			coupon_amount: 0,
			refund_id: null,
			out_refund_no: null,
			refund_amount: 0,
			recharge_coupon_refund_amount: 0,
			refund_type: '',
			refund_status: '',
			description: 'Cola',
			attach: { machine_no: '10000001', order_id: '1234' },
			fee: 0.021,
			fee_rate: '0.60%',
			order_amount: 3.5,
			requested_refund_amount: 0,
			fee_rate_note: '',
		});
		expect(rows[1]).toMatchObject({ trade_state: 'REFUND', refund_id: '50300202611300000000000001', out_refund_no: 'dsr-1234-1', refund_amount: 3.5, refund_status: 'SUCCESS', fee: -0.021, order_amount: 0 });
		expect(summary).toEqual({
			row_type: 'summary',
			bill_date: '2026-11-30',
			bill_type: 'ALL',
			trade_count: 2,
			settlement_total: 3.5,
			refund_total: 3.5,
			recharge_coupon_refund_total: 0,
			fee_total: 0,
			order_total: 3.5,
			requested_refund_total: 3.5,
		});
	});

	it('SUCCESS and REFUND layouts: their own columns, refund times as ISO 8601, a refund not yet done has no success time', () => {
		const success = parseWeChatBill(file(SUCCESS_HEADER, `\`2026-11-30 23:59:59,${ORDER},\`SUCCESS,\`OTHERS,\`CNY,\`12.00,\`0.00,\`Water,\`free text,\`0.07200,\`0.60%,\`12.00,\``, SUMMARY_HEADER, '`1,`12.00,`0.00,`0.00,`0.07200,`12.00,`0.00'));
		expect(success.rows[0]).toMatchObject({ trade_time: '2026-11-30T23:59:59+08:00', order_amount: 12, attach: 'free text', fee: 0.072 });
		expect(success.rows[0]).not.toHaveProperty('refund_id');
		const refund = parseWeChatBill(
			file(REFUND_HEADER, `\`2026-11-29 20:00:00,${ORDER},\`REFUND,\`OTHERS,\`CNY,\`0.00,\`0.00,\`2026-11-30 08:00:00,\`,\`50300202611300000000000002,\`dsr-1234-2,\`1.20,\`0.00,\`ORIGINAL,\`PROCESSING,\`Cola,\`${ATTACH},\`-0.00720,\`0.60%,\`0.00,\`1.20,\``, SUMMARY_HEADER, '`1,`0.00,`1.20,`0.00,`-0.00720,`0.00,`1.20'),
		);
		expect(refund.rows[0]).toMatchObject({ trade_time: '2026-11-29T20:00:00+08:00', refund_create_time: '2026-11-30T08:00:00+08:00', refund_success_time: null, refund_status: 'PROCESSING', refund_amount: 1.2 });
		expect(refund.summary).toMatchObject({ trade_count: 1, refund_total: 1.2, fee_total: -0.0072 });
	});

	it('reads columns by name (WeChat may reorder them) and keeps a column it does not know under `extra`', () => {
		const header = '商户订单号,交易时间,订单金额,新字段';
		const { rows } = parseWeChatBill(file(header, '`DS9,`2026-11-30 10:00:00,`2.00,`x', SUMMARY_HEADER, '`1,`2.00,`0.00,`0.00,`0.01200,`2.00,`0.00'));
		expect(rows[0]).toEqual({ row_type: 'trade', out_trade_no: 'DS9', trade_time: '2026-11-30T10:00:00+08:00', order_amount: 2, extra: { 新字段: 'x' } });
	});

	it('a bill with no rows is just the summary', () => {
		expect(parseWeChatBill(file(ALL_HEADER, SUMMARY_HEADER, '`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00'))).toMatchObject({ rows: [], summary: { trade_count: 0 } });
	});

	it('a truncated or damaged file fails with a message that says so and where', () => {
		const lines = ALL.split('\r\n');
		const fail = (text: string) => () => parseWeChatBill(text);
		expect(fail(lines.slice(0, 3).join('\r\n'))).toThrow(/ends before its summary \(truncated file\)/);
		expect(fail(lines.slice(0, 4).join('\r\n'))).toThrow(/summary header but no summary row \(truncated file\)/);
		expect(fail(`${lines[0]}\r\n${lines[1].slice(0, 60)}`)).toThrow(/bill row 1 has \d+ fields but the header has 27 \(truncated or damaged file\)/);
		expect(fail([lines[0], lines[1], ...lines.slice(3)].join('\r\n'))).toThrow(/summary counts 2 rows but the bill has 1/);
		expect(fail(ALL.replace('`3.50,`0.00,`0,', '`3,5O,`0.00,`0,'))).toThrow(BillFileError);
		expect(fail(ALL.replace('2026-11-30 09:15:02', '30/11/2026 09:15'))).toThrow(/bill row 1, column trade_time is not a date-time/);
		expect(fail('{"code":"INVALID_REQUEST"}')).toThrow(/not a WeChat Pay trade bill/);
	});

	it('gzip: unpacks with the global DecompressionStream; a cut-off download fails naming gzip and truncation', async () => {
		const gz = gzipSync(Buffer.from(ALL, 'utf8'));
		expect((await gunzipBill(gz)).toString('utf8')).toBe(ALL);
		await expect(gunzipBill(gz.subarray(0, gz.length - 10))).rejects.toThrow(/not a complete gzip file \(truncated or damaged download/);
		await expect(gunzipBill(Buffer.from(ALL))).rejects.toThrow(BillFileError);
	});

	it('the SHA1 is over the decompressed file; a mismatch names the hash', () => {
		const plain = Buffer.from(ALL, 'utf8');
		const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');
		expect(() => checkBillHash(plain, 'SHA1', sha1(plain))).not.toThrow();
		expect(() => checkBillHash(plain, 'SHA1', sha1(plain).toUpperCase())).not.toThrow();
		const overGzip = sha1(gzipSync(plain));
		expect(() => checkBillHash(plain, 'SHA1', overGzip)).toThrow(`the bill's SHA1 hash does not match: hash_value says ${overGzip}`);
		expect(() => checkBillHash(plain, 'MD5', sha1(plain))).toThrow(/no SHA1 hash/);
	});
});
