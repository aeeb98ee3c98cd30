import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readAlipayAnswer, signedAlipayRequest } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import { readAlipayBill } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/billParse';
import { billTexts, billZip } from '../../sandbox/payments/alipayBill';
import { encodeGbk } from '../../sandbox/payments/alipayBillZip';
import { Ledger } from '../../sandbox/payments/ledger';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';

/** The Alipay sandbox's bills (Alipay's layout, GBK, zip), trade query / close and request signatures, over real HTTP. */

const CHINA = (text: string) => new Date(`${text}+08:00`);

describe('Alipay trade bill files', () => {
	// A ledger on a hand-set clock: two payments and a refund on 2026-11-30, one payment the next day.
	let at = CHINA('2026-11-30T09:15:02');
	const ledger = new Ledger(() => at);
	const base = { provider: 'alipay' as const, payer: '2088102177846880', notifyUrl: 'http://127.0.0.1:9/n' };
	const p1 = ledger.pay({ ...base, outTradeNo: 'T1001', totalFen: 350, attach: 'machine_no=10000001&order_id=11', subject: '可乐' });
	at = CHINA('2026-11-30T18:00:00');
	const p2 = ledger.pay({ ...base, outTradeNo: 'T1002', totalFen: 1000, attach: '', subject: '矿泉水, 大' });
	at = CHINA('2026-11-30T18:05:30');
	ledger.requestRefund('alipay', { outTradeNo: 'T1002', refundKey: 'dsr-1002-1', refundFen: 1000 });
	at = CHINA('2026-12-01T00:00:00');
	ledger.pay({ ...base, outTradeNo: 'T1003', totalFen: 200, attach: '', subject: '茶' });
	const exported = CHINA('2026-12-01T10:12:11');

	it('the details and summary files are byte for byte Alipay\'s layout: # lines, header, tab-padded rows, totals', () => {
		const { details, summary } = billTexts(ledger, '2026-11-30', exported);
		const t = (...fields: string[]) => fields.map((f) => `${f}\t`).join(',');
		expect(details).toBe(
			[
				'#支付宝业务明细查询',
				'#账号：[20886210000000010156]',
				'#起始日期：[2026年11月30日 00:00:00]   终止日期：[2026年12月01日 00:00:00]',
				'#-----------------------------------------业务明细列表----------------------------------------',
				'支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注',
				t(p1.transactionId, 'T1001', '交易', '可乐', '2026-11-30 09:15:02', '2026-11-30 09:15:02', '', '', '', '', '2088102177846880', '3.50', '3.50', '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', '', '-0.02', '0.00', 'machine_no=10000001&order_id=11'),
				t(p2.transactionId, 'T1002', '交易', '"矿泉水, 大"', '2026-11-30 18:00:00', '2026-11-30 18:00:00', '', '', '', '', '2088102177846880', '10.00', '10.00', '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', '', '-0.06', '0.00', ''),
				t(p2.transactionId, 'T1002', '退款', '"矿泉水, 大"', '2026-11-30 18:00:00', '2026-11-30 18:05:30', '', '', '', '', '2088102177846880', '10.00', '-10.00', '0.00', '0.00', '0.00', '0.00', '', '', '0.00', '0.00', 'dsr-1002-1', '0.06', '0.00', ''),
				'#-----------------------------------------业务明细列表结束------------------------------------',
				'#交易合计：2笔，商家实收共13.50元，商家优惠共0.00元',
				'#退款合计：1笔，商家实收退款共-10.00元，商家优惠退款共0.00元',
				'#导出时间：[2026年12月01日 10:12:11]',
				'',
			].join('\r\n'),
		);
		expect(summary).toBe(
			[
				'#支付宝业务汇总查询',
				'#账号：[20886210000000010156]',
				'#起始日期：[2026年11月30日 00:00:00]   终止日期：[2026年12月01日 00:00:00]',
				'#-----------------------------------------业务汇总列表----------------------------------------',
				'门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）',
				'合计,,2,1,13.50,3.50,0.00,0.00,0.00,-0.02,0.00,3.48',
				'#----------------------------------------业务汇总列表结束-------------------------------------',
				'#导出时间：[2026年12月01日 10:12:11]',
				'',
			].join('\r\n'),
		);
	});

	it('GBK bytes: 支付宝 is D6A7 B8B6 B1A6; ASCII stays; a character GBK lacks becomes ?', () => {
		expect(encodeGbk('支付宝').toString('hex')).toBe('d6a7b8b6b1a6');
		expect(encodeGbk('#A,1\t').toString('hex')).toBe('23412c3109');
		expect(encodeGbk('可乐😀')).toEqual(Buffer.concat([encodeGbk('可乐'), Buffer.from('?')]));
		const { details } = billTexts(ledger, '2026-11-30', exported);
		expect(new TextDecoder('gbk').decode(encodeGbk(details))).toBe(details);
	});

	it('the zip: Info-ZIP and Python read it (names in GBK, CRC-32 good), the files are the GBK texts', () => {
		const dir = mkdtempSync(join(tmpdir(), 'alipay-bill-'));
		try {
			const file = join(dir, 'bill.zip');
			writeFileSync(file, billZip(ledger, '2026-11-30', exported));
			expect(execFileSync('unzip', ['-tq', file]).toString()).toContain('No errors detected');
			const script = [
				'import sys, zipfile',
				'z = zipfile.ZipFile(sys.argv[1])',
				'assert z.testzip() is None',
				'for i in z.infolist(): print(i.filename.encode("cp437").decode("gbk"), i.flag_bits, i.compress_type, z.read(i).decode("gbk").count("\\r\\n"))',
			].join('\n');
			const listing = execFileSync('python3', ['-c', script, file]).toString().trim().split('\n');
			expect(listing).toEqual(['20886210000000010156_20261130_业务明细.csv 0 8 12', '20886210000000010156_20261130_业务明细(汇总).csv 0 8 8']);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('a day without payments: an empty list, zero totals', () => {
		const { details, summary } = billTexts(ledger, '2026-11-29', exported);
		expect(details).toContain('备注\r\n#-----------------------------------------业务明细列表结束');
		expect(details).toContain('#交易合计：0笔，商家实收共0.00元');
		expect(summary).toContain('\r\n合计,,0,0,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00\r\n');
	});
});

describe('Alipay gateway: bill links, trade query and close, signatures', () => {
	let sb: RunningPaymentSandbox;
	beforeAll(async () => {
		sb = await startPaymentSandbox({ port: 0 });
	});
	afterAll(async () => await sb.close());

	const appKey = () => createPrivateKey(sb.alipay.privateKey);
	const alipayKey = () => createPublicKey(sb.alipay.alipayPublicKey);
	async function call(method: string, biz: Record<string, unknown>, key = appKey()) {
		const res = await fetch(sb.alipay.gatewayUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(signedAlipayRequest(sb.alipay.appId, method, biz, key)) });
		const answer = readAlipayAnswer(await res.text(), method, alipayKey());
		expect(answer?.signatureValid).toBe(true); // every answer signed, refusals too
		return answer!.response;
	}
	const chinaDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
	let seq = 0;
	const pay = async (yuan: string) => {
		const outTradeNo = `B${Date.now()}${seq++}`;
		await sb.pay({ provider: 'alipay', out_trade_no: outTradeNo, amount: yuan, notify_url: 'http://127.0.0.1:9/n' });
		return outTradeNo;
	};

	it('a day\'s bill: none before 10:00 the next day, then a 30-second link to the zip; then the link has expired', async () => {
		const outTradeNo = await pay('4.50');
		const day = chinaDate(sb.clock.now());
		const bill = { bill_type: 'trade', bill_date: day };
		expect(await call('alipay.data.dataservice.bill.downloadurl.query', bill)).toMatchObject({ code: '40004', sub_code: 'isp.bill_not_exist' });
		// To 10:00:05 China time the next day.
		sb.clock.advance((Date.parse(`${day}T10:00:05+08:00`) + 86_400_000 - sb.clock.now()) / 1000);
		const answer = await call('alipay.data.dataservice.bill.downloadurl.query', bill);
		expect(answer).toMatchObject({ code: '10000', msg: 'Success' });
		const url = String(answer.bill_download_url);
		expect(url).toMatch(new RegExp(`^${sb.baseUrl}/downloadBillFile\\.resource\\?bizType=trade&userId=20886210000000010156&fileType=csv\\.zip&bizDates=${day.replace(/-/g, '')}&.*token=[0-9a-f]{32}$`));
		const zip = await fetch(url);
		expect(zip.headers.get('content-type')).toBe('application/zip');
		const bytes = Buffer.from(await zip.arrayBuffer());
		expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
		// The link's zip is the ledger's bill for that day (read back with the package's reader).
		const items = await readAlipayBill(bytes, day);
		expect(items.find((item) => item.out_trade_no === outTradeNo)).toMatchObject({ row_type: 'trade', business_type: 'payment', order_amount: 4.5, receipt_amount: 4.5 });
		expect(items.at(-1)).toMatchObject({ row_type: 'summary', scope: 'total' });
		sb.clock.advance(31);
		const late = await fetch(url);
		expect(late.status).toBe(200);
		expect(await late.text()).toBe('下载超时，请重新下载');
		expect((await fetch(url.replace(/token=\w+/, 'token=0'))).status).toBe(404);
	});

	it('bad bill arguments are refused', async () => {
		expect(await call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: '2026-13-01' })).toMatchObject({ sub_code: 'isv.invalid-arguments' });
		expect(await call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'x', bill_date: '2026-11-01' })).toMatchObject({ sub_code: 'isv.invalid-arguments' });
	});

	it('trade.query: a paid trade, one fully refunded (TRADE_CLOSED), one unknown', async () => {
		const outTradeNo = await pay('3.50');
		const paid = await call('alipay.trade.query', { out_trade_no: outTradeNo });
		expect(paid).toMatchObject({ code: '10000', out_trade_no: outTradeNo, trade_status: 'TRADE_SUCCESS', total_amount: '3.50', receipt_amount: '3.50', buyer_user_id: '2088102177846880' });
		expect(paid.send_pay_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		expect(await call('alipay.trade.query', { trade_no: paid.trade_no })).toMatchObject({ out_trade_no: outTradeNo });
		expect(await call('alipay.trade.refund', { out_trade_no: outTradeNo, refund_amount: '3.50', out_request_no: 'r1' })).toMatchObject({ code: '10000' });
		expect(await call('alipay.trade.query', { out_trade_no: outTradeNo })).toMatchObject({ trade_status: 'TRADE_CLOSED' });
		expect(await call('alipay.trade.query', { out_trade_no: 'NO-SUCH-TRADE' })).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
	});

	it('trade.close: an unpaid trade closes (and can no longer be paid); a paid or closed one is ACQ.TRADE_STATUS_ERROR', async () => {
		const open = await fetch(`${sb.baseUrl}/__payments/alipay-trades`, { method: 'POST', body: JSON.stringify({ out_trade_no: 'U-1', amount: '2.00' }) });
		expect(await open.json()).toMatchObject({ out_trade_no: 'U-1', trade_status: 'WAIT_BUYER_PAY', total_fen: 200 });
		expect(await call('alipay.trade.query', { out_trade_no: 'U-1' })).toMatchObject({ trade_status: 'WAIT_BUYER_PAY' });
		expect(await call('alipay.trade.close', { out_trade_no: 'U-1' })).toMatchObject({ code: '10000', out_trade_no: 'U-1' });
		expect(await call('alipay.trade.query', { out_trade_no: 'U-1' })).toMatchObject({ trade_status: 'TRADE_CLOSED' });
		expect(await call('alipay.trade.close', { out_trade_no: 'U-1' })).toMatchObject({ sub_code: 'ACQ.TRADE_STATUS_ERROR' });
		await expect(sb.pay({ provider: 'alipay', out_trade_no: 'U-1', amount: '2.00', notify_url: 'http://127.0.0.1:9/n' })).rejects.toThrow(/closed/);
		const paid = await pay('1.00');
		expect(await call('alipay.trade.close', { out_trade_no: paid })).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
		expect(await call('alipay.trade.close', { out_trade_no: 'NEVER-OPENED' })).toMatchObject({ sub_code: 'ACQ.TRADE_NOT_EXIST' });
	});

	it('a request signed with another key: isv.invalid-signature (signed answer under error_response)', async () => {
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
		expect(await call('alipay.trade.query', { out_trade_no: 'X' }, other)).toMatchObject({ code: '40002', sub_code: 'isv.invalid-signature' });
	});
});
