import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseAlipayDetails, parseAlipaySummary, readAlipayBill } from '../nodes/shared/alipay/billParse';
import { crc32, unzip } from '../../shared/zipArchive';
import { csvFields } from '../../shared/csvText';
import { encodeGbk } from '../../../sandbox/payments/alipayBillZip';

/**
 * Alipay trade bill parsing on fixtures typed from Alipay's documented layout (not made by the
 * sandbox), zipped by Python's zipfile (another writer than the sandbox's): stored and deflated.
 */

const t = (...fields: string[]) => fields.map((f) => `${f}\t`).join(',');
const HEADER =
	'支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注';
const DETAILS = [
	'#支付宝业务明细查询',
	'#账号：[20881234567890120156]',
	'#起始日期：[2026年11月30日 00:00:00]   终止日期：[2026年12月01日 00:00:00]',
	'#-----------------------------------------业务明细列表----------------------------------------',
	HEADER,
	t('2026113022001400000000000001', 'DS1001', '交易', '可乐', '2026-11-30 09:15:02', '2026-11-30 09:15:04', '', '', '', 'T01', 'abc***@163.com', '3.50', '3.50', '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', '', '-0.02', '0.00', 'machine_no=10000001&order_id=11'),
	t('2026113022001400000000000002', 'DS1002', '交易', '"矿泉水, 大"', '2026-11-30 18:00:00', '2026-11-30 18:00:01', '', '', '', '', '138****0000', '10.00', '10.00', '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', '', '-0.06', '0.00', '售货机 A'),
	t('2026113022001400000000000002', 'DS1002', '退款', '"矿泉水, 大"', '2026-11-30 18:00:00', '2026-11-30 18:05:30', '', '', '', '', '138****0000', '10.00', '-10.00', '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', 'dsr-1002-1', '0.06', '0.00', ''),
	'#-----------------------------------------业务明细列表结束------------------------------------',
	'#交易合计：2笔，商家实收共13.50元，商家优惠共0.00元',
	'#退款合计：1笔，商家实收退款共-10.00元，商家优惠退款共0.00元',
	'#导出时间：[2026年12月01日 10:12:11]',
].join('\r\n');
const SUMMARY = [
	'#支付宝业务汇总查询',
	'#账号：[20881234567890120156]',
	'#起始日期：[2026年11月30日 00:00:00]   终止日期：[2026年12月01日 00:00:00]',
	'#-----------------------------------------业务汇总列表----------------------------------------',
	'门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）',
	'S01,一号店,2,1,13.50,3.50,0.00,0.00,0.00,-0.02,0.00,3.48',
	'合计,,2,1,13.50,3.50,0.00,0.00,0.00,-0.02,0.00,3.48',
	'#----------------------------------------业务汇总列表结束-------------------------------------',
	'#导出时间：[2026年12月01日 10:12:11]',
].join('\r\n');

/** A zip written by Python: `method` 'stored' or 'deflated'; names are flagged UTF-8 there. */
function pythonZip(files: Record<string, Buffer>, method: 'stored' | 'deflated'): Buffer {
	const dir = mkdtempSync(join(tmpdir(), 'alipay-fixture-'));
	try {
		const names = Object.keys(files).map((name, i) => {
			writeFileSync(join(dir, `f${i}`), files[name]);
			return name;
		});
		const script = `import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_${method.toUpperCase()})\nfor i, n in enumerate(sys.argv[2:]): z.write('${dir}/f%d' % i, n)\nz.close()`;
		execFileSync('python3', ['-c', script, join(dir, 'out.zip'), ...names]);
		return readFileSync(join(dir, 'out.zip'));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const files = { '20881234567890120156_20261130_业务明细.csv': encodeGbk(DETAILS), '20881234567890120156_20261130_业务明细(汇总).csv': encodeGbk(SUMMARY) };

describe('Alipay trade bill: zip → GBK → items', () => {
	it('CRC-32 and the CSV splitter', () => {
		expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
		expect(csvFields('a\t,"b, c"\t,"d ""e"""')).toEqual(['a\t', 'b, c\t', 'd "e"']);
	});

	it.each(['deflated', 'stored'] as const)('a %s zip: every detail row typed, then the summary rows', async (method) => {
		const items = await readAlipayBill(pythonZip(files, method), '2026-11-30');
		expect(items).toHaveLength(5);
		expect(items[0]).toEqual({
			row_type: 'trade',
			bill_date: '2026-11-30',
			trade_no: '2026113022001400000000000001',
			out_trade_no: 'DS1001',
			business_type: 'payment',
			subject: '可乐',
			created_at: '2026-11-30T09:15:02+08:00',
			finished_at: '2026-11-30T09:15:04+08:00',
			store_id: '',
			store_name: '',
			operator_id: '',
			terminal_id: 'T01',
			buyer_account: 'abc***@163.com',
			order_amount: 3.5,
			receipt_amount: 3.5,
			alipay_red_packet_amount: 0,
			jifenbao_amount: 0,
			alipay_discount_amount: 0,
			merchant_discount_amount: 0,
			voucher_amount: null,
			voucher_name: '',
			merchant_red_packet_amount: 0,
			card_amount: 0,
			out_request_no: '',
			service_fee: -0.02,
			profit_share_amount: 0,
			remark: { machine_no: '10000001', order_id: '11' },
		});
		expect(items[1]).toMatchObject({ business_type: 'payment', subject: '矿泉水, 大', remark: '售货机 A', order_amount: 10 });
		expect(items[2]).toMatchObject({ business_type: 'refund', out_trade_no: 'DS1002', out_request_no: 'dsr-1002-1', receipt_amount: -10, refund_amount: 10, service_fee: 0.06, finished_at: '2026-11-30T18:05:30+08:00' });
		expect(items[3]).toEqual({ row_type: 'summary', bill_date: '2026-11-30', scope: 'store', store_id: 'S01', store_name: '一号店', payment_count: 2, refund_count: 1, order_amount: 13.5, receipt_amount: 3.5, alipay_discount_amount: 0, merchant_discount_amount: 0, card_amount: 0, service_fee: -0.02, profit_share_amount: 0, net_receipt_amount: 3.48 });
		expect(items[4]).toMatchObject({ scope: 'total', store_id: null, payment_count: 2, net_receipt_amount: 3.48 });
	});

	it('a truncated zip, a damaged entry (bad CRC-32) and a cut deflate stream each fail, naming it', async () => {
		const zip = pythonZip(files, 'stored');
		await expect(readAlipayBill(zip.subarray(0, zip.length - 30), '2026-11-30')).rejects.toThrow('the zip file is truncated');
		const at = zip.indexOf(encodeGbk('可乐'));
		const damaged = Buffer.from(zip);
		damaged[at] ^= 0x01;
		await expect(readAlipayBill(damaged, '2026-11-30')).rejects.toThrow(/fails its CRC-32 check/);
		const deflated = pythonZip(files, 'deflated');
		const entries = await unzip(deflated);
		expect(entries.size).toBe(2);
		const cut = Buffer.from(deflated);
		cut.fill(0, 60, 90); // inside the first entry's compressed data
		await expect(readAlipayBill(cut, '2026-11-30')).rejects.toThrow(/compressed data is damaged|CRC-32|wrong size/);
		await expect(readAlipayBill(Buffer.from('<html>下载超时</html>'), '2026-11-30')).rejects.toThrow('the file is not a zip');
	});

	it('a details file cut before its end line, a footer that counts other rows, another day: errors that say so', () => {
		const lines = DETAILS.split('\r\n');
		expect(() => parseAlipayDetails(lines.slice(0, 7).join('\r\n'), '2026-11-30')).toThrow('the details file is truncated: its end-of-list line is missing');
		expect(() => parseAlipayDetails(lines.slice(0, 3).join('\r\n'), '2026-11-30')).toThrow('the details file has no list');
		const dropped = [...lines.slice(0, 6), ...lines.slice(7)].join('\r\n');
		expect(() => parseAlipayDetails(dropped, '2026-11-30')).toThrow('the details file lists 1 payment rows but its footer counts 2: the file is incomplete');
		expect(() => parseAlipayDetails(DETAILS, '2026-11-29')).toThrow('the bill is for 2026-11-30, not for the Bill Date 2026-11-29');
		const short = DETAILS.replace(',-0.02\t,0.00\t,machine_no=10000001&order_id=11\t', '');
		expect(() => parseAlipayDetails(short, '2026-11-30')).toThrow(/details row 1 has \d+ fields, its header 25/);
		expect(() => parseAlipaySummary(SUMMARY.replace('13.50', 'x'), '2026-11-30')).toThrow('summary row 1: "order_amount" is not a number (x)');
	});

	it('a zip without the summary file is not a trade bill', async () => {
		const zip = pythonZip({ 'a_业务明细.csv': encodeGbk(DETAILS) }, 'deflated');
		await expect(readAlipayBill(zip, '2026-11-30')).rejects.toThrow('not the details and summary files of a trade bill');
	});
});
