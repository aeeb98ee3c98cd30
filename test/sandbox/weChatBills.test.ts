import { createHash, createPublicKey, X509Certificate } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { gunzipSync } from 'zlib';

import { decryptResource, WECHAT_REFUNDS_PATH, weChatAuthorization, weChatHeaders, weChatSignatureProblem } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import { readWeChatPay, type WeChatPayCredentials } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/credentials';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';

/**
 * The WeChat Pay sandbox's trade bills (byte for byte: BOM, CRLF, headers, backticks, summary,
 * gzip, SHA1 of the unpacked file, 30-s links), payment look-up and close, and the platform
 * certificates — over real HTTP, requests signed with the package's own helpers.
 */

type Json = any;
let sb: RunningPaymentSandbox;
let wx: WeChatPayCredentials;
let seq = 0;

beforeAll(async () => {
	sb = await startPaymentSandbox({ port: 0 });
	wx = readWeChatPay(sb.weChatPay as unknown as ICredentialDataDecryptedObject);
});
afterAll(async () => await sb.close());

const CHINA = 8 * 3600_000;
const chinaDay = (ms: number) => new Date(ms + CHINA).toISOString().slice(0, 10);
const chinaTime = (iso: string) => new Date(Date.parse(iso) + CHINA).toISOString().slice(0, 19).replace('T', ' ');
/** Moves the sandbox clock to the next China-time hh:00 (virtual). */
function advanceTo(hour: number): void {
	const now = sb.clock.now();
	let target = Date.parse(`${chinaDay(now)}T${String(hour).padStart(2, '0')}:00:00+08:00`);
	if (target <= now) target += 86400_000;
	sb.advanceClock((target - now) / 1000);
}

async function weChat(method: 'GET' | 'POST', pathOrUrl: string, payload?: object, signed = true): Promise<{ status: number; headers: Record<string, string>; bytes: Buffer; text: string; json: Json }> {
	const url = new URL(pathOrUrl, sb.baseUrl);
	const body = payload ? JSON.stringify(payload) : '';
	const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
	if (signed) headers.Authorization = weChatAuthorization(wx, method, `${url.pathname}${url.search}`, body);
	const res = await fetch(url, { method, headers, body: payload ? body : undefined });
	const bytes = Buffer.from(await res.arrayBuffer());
	const text = bytes.toString('utf8');
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: Object.fromEntries(res.headers), bytes, text, json };
}
const verifies = (answer: { headers: Record<string, string>; text: string }) => weChatSignatureProblem(weChatHeaders(answer.headers), answer.text, wx.publicKey, wx.publicKeyId);

async function paid(amountFen: number, attach = ''): Promise<{ outTradeNo: string; payment: Json }> {
	const outTradeNo = `WB${Date.now().toString(36)}${seq++}`;
	await sb.pay({ provider: 'weChatPay', out_trade_no: outTradeNo, amount_fen: amountFen, notify_url: 'http://127.0.0.1:9/nowhere', attach, subject: 'Cola' });
	const payment = (sb.state().payments as Json[]).find((p) => p.out_trade_no === outTradeNo);
	return { outTradeNo, payment };
}

const ALL_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

describe('WeChat Pay trade bills', () => {
	let day = '';
	let first: Json;
	let second: Json;
	let refund: Json;

	beforeAll(async () => {
		advanceTo(12); // a whole China day ahead: the payments fall on one date
		first = await paid(350, 'machine_no=10000001&order_id=1234');
		second = await paid(1200);
		sb.advanceClock(60);
		const answer = await weChat('POST', WECHAT_REFUNDS_PATH, { out_trade_no: first.outTradeNo, out_refund_no: 'dsr-1234-1', amount: { refund: 350, total: 350, currency: 'CNY' } });
		expect(answer.status).toBe(200);
		refund = answer.json;
		day = chinaDay(Date.parse(first.payment.paid_at));
	});

	it('is not there before 10:00 the next day (STATEMENT_CREATING), then answers a signed link and the SHA1', async () => {
		const early = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
		expect([early.status, early.json.code]).toEqual([400, 'STATEMENT_CREATING']);
		expect(verifies(early)).toBeUndefined();
		advanceTo(10);
		const ready = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
		expect(ready.status).toBe(200);
		expect(verifies(ready)).toBeUndefined();
		expect(ready.json).toEqual({ hash_type: 'SHA1', hash_value: expect.stringMatching(/^[0-9a-f]{40}$/), download_url: expect.stringMatching(new RegExp(`^${sb.baseUrl}/v3/billdownload/file\\?token=[0-9a-f]{32}$`)) });
	});

	it('ALL, byte for byte: BOM, CRLF, the header, backticked rows (payments, then the refund), the summary; gzip; SHA1 of the unpacked file; no signature on the file', async () => {
		const apply = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
		const file = await weChat('GET', apply.json.download_url);
		expect(file.status).toBe(200);
		expect(file.headers['wechatpay-signature']).toBeUndefined();
		expect(file.bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip magic
		const plain = gunzipSync(file.bytes);
		expect(createHash('sha1').update(plain).digest('hex')).toBe(apply.json.hash_value);
		const row = (...fields: string[]) => fields.map((f) => `\`${f}`).join(',');
		const order = (p: Json) => ['wxd678efh567hg6787', '1900000109', '0', '', p.payment.transaction_id, p.outTradeNo, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'NATIVE'];
		const expected = [
			ALL_HEADER,
			row(chinaTime(first.payment.paid_at), ...order(first), 'SUCCESS', 'OTHERS', 'CNY', '3.50', '0.00', '0', '0', '0.00', '0.00', '', '', 'Cola', 'machine_no=10000001&order_id=1234', '0.02100', '0.60%', '3.50', '0.00', ''),
			row(chinaTime(second.payment.paid_at), ...order(second), 'SUCCESS', 'OTHERS', 'CNY', '12.00', '0.00', '0', '0', '0.00', '0.00', '', '', 'Cola', '', '0.07200', '0.60%', '12.00', '0.00', ''),
			row(refund.create_time.slice(0, 19).replace('T', ' '), ...order(first), 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', refund.refund_id, 'dsr-1234-1', '3.50', '0.00', 'ORIGINAL', 'SUCCESS', 'Cola', 'machine_no=10000001&order_id=1234', '-0.02100', '0.60%', '0.00', '3.50', ''),
			SUMMARY_HEADER,
			row('3', '15.50', '3.50', '0.00', '0.07200', '15.50', '3.50'),
		];
		expect(plain.toString('utf8')).toBe(`\uFEFF${expected.map((line) => `${line}\r\n`).join('')}`);
	});

	it('SUCCESS and REFUND bills have their own columns and rows; without tar_type the file comes plain, same hash', async () => {
		const get = async (type: string, tar = '&tar_type=GZIP') => {
			const apply = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=${type}${tar}`);
			const file = await weChat('GET', apply.json.download_url);
			return { hash: apply.json.hash_value as string, text: (tar ? gunzipSync(file.bytes) : file.bytes).toString('utf8') };
		};
		const success = (await get('SUCCESS')).text.split('\r\n');
		expect(success[0]).toBe('\uFEFF交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注');
		expect(success.filter((l) => l.startsWith('`'))).toHaveLength(3); // two payments + the summary row
		const refunds = await get('REFUND');
		const lines = refunds.text.split('\r\n');
		expect(lines[0]).toContain(',退款申请时间,退款成功时间,微信退款单号,');
		expect(lines[1].split(',')[9]).toBe('`REFUND');
		expect(lines[1].split(',')[0]).toBe(`\`${chinaTime(first.payment.paid_at)}`); // the payment's time; the refund's in 退款申请时间
		const plain = await get('REFUND', '');
		expect(plain.text).toBe(refunds.text);
		expect(plain.hash).toBe(refunds.hash);
	});

	it('a bill is a snapshot: a refund status changed later does not show', async () => {
		const before = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
		sb.setWeChatRefundStatus('ABNORMAL', 'dsr-1234-1');
		const after = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
		expect(after.json.hash_value).toBe(before.json.hash_value);
		sb.setWeChatRefundStatus('SUCCESS', 'dsr-1234-1');
	});

	it('a link lives 30 s, needs a signed GET, and is refused afterwards as WeChat does', async () => {
		const apply = await weChat('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
		expect((await weChat('GET', apply.json.download_url, undefined, false)).json.code).toBe('SIGN_ERROR');
		sb.advanceClock(31);
		const late = await weChat('GET', apply.json.download_url);
		expect([late.status, late.json.code]).toEqual([400, 'INVALID_REQUEST']);
		expect(late.json.message).toContain('过期');
		expect((await weChat('GET', '/v3/billdownload/file?token=0123')).status).toBe(400);
	});

	it('refuses bad dates and types, days without trades, and the future, with WeChat\'s codes', async () => {
		const code = async (query: string) => (await weChat('GET', `/v3/bill/tradebill?${query}`)).json.code;
		expect(await code('bill_date=2026-13-01&bill_type=ALL')).toBe('PARAM_ERROR');
		expect(await code(`bill_date=${day}&bill_type=EVERYTHING`)).toBe('PARAM_ERROR');
		expect(await code(`bill_date=${day}&tar_type=ZIP`)).toBe('PARAM_ERROR');
		const before = chinaDay(Date.parse(`${day}T12:00:00+08:00`) - 86400_000);
		expect(await code(`bill_date=${before}&bill_type=ALL`)).toBe('NO_STATEMENT_EXIST');
		expect(await code(`bill_date=${chinaDay(sb.clock.now() + 2 * 86400_000)}`)).toBe('PARAM_ERROR');
		expect(await code(`bill_date=${chinaDay(sb.clock.now() - 100 * 86400_000)}`)).toBe('PARAM_ERROR');
	});
});

describe('WeChat Pay payment look-up and close', () => {
	it('answers the transaction by out_trade_no and by transaction_id, signed; REFUND once refunded; ORDER_NOT_EXIST otherwise', async () => {
		const { outTradeNo, payment } = await paid(500, 'machine_no=10000002&order_id=77');
		const mchid = `mchid=${wx.mchId}`;
		const byNo = await weChat('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?${mchid}`);
		expect(verifies(byNo)).toBeUndefined();
		expect(byNo.json).toMatchObject({ out_trade_no: outTradeNo, transaction_id: payment.transaction_id, trade_state: 'SUCCESS', attach: 'machine_no=10000002&order_id=77', amount: { total: 500, currency: 'CNY' }, payer: { openid: expect.any(String) } });
		const byId = await weChat('GET', `/v3/pay/transactions/id/${payment.transaction_id}?${mchid}`);
		expect(byId.json).toEqual(byNo.json);
		await weChat('POST', WECHAT_REFUNDS_PATH, { out_trade_no: outTradeNo, out_refund_no: `dsr-${seq++}-1`, amount: { refund: 100, total: 500, currency: 'CNY' } });
		expect((await weChat('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?${mchid}`)).json.trade_state).toBe('REFUND');
		const none = await weChat('GET', `/v3/pay/transactions/out-trade-no/NOPE123?${mchid}`);
		expect([none.status, none.json.code]).toEqual([404, 'ORDER_NOT_EXIST']);
		expect((await weChat('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=1`)).json.code).toBe('PARAM_ERROR');
	});

	it('closes an unpaid order (204, signed empty body): it reads CLOSED and can no longer be paid; a paid one is refused ORDERPAID', async () => {
		const closed = await weChat('POST', '/v3/pay/transactions/out-trade-no/UNPAID-1/close', { mchid: wx.mchId });
		expect([closed.status, closed.text]).toEqual([204, '']);
		expect(verifies(closed)).toBeUndefined();
		expect((await weChat('GET', `/v3/pay/transactions/out-trade-no/UNPAID-1?mchid=${wx.mchId}`)).json.trade_state).toBe('CLOSED');
		await expect(sb.pay({ provider: 'weChatPay', out_trade_no: 'UNPAID-1', amount: '1.00', notify_url: 'http://127.0.0.1:9/x' })).rejects.toThrow(/closed/);
		const { outTradeNo } = await paid(100);
		const refused = await weChat('POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, { mchid: wx.mchId });
		expect([refused.status, refused.json.code]).toEqual([400, 'ORDERPAID']);
	});
});

describe('WeChat Pay platform certificates', () => {
	it('answers a certificate of the platform key, encrypted with the APIv3 key, signed', async () => {
		const answer = await weChat('GET', '/v3/certificates');
		expect(answer.status).toBe(200);
		expect(verifies(answer)).toBeUndefined();
		const [entry] = answer.json.data;
		expect(entry.encrypt_certificate).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate' });
		const pem = decryptResource(wx.apiV3Key, entry.encrypt_certificate);
		const certificate = new X509Certificate(pem);
		expect(certificate.serialNumber).toBe(entry.serial_no);
		expect(certificate.publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(sb.weChatPay.publicKey).export({ type: 'spki', format: 'pem' }));
		expect(certificate.verify(wx.publicKey)).toBe(true); // self-signed with the platform key
		expect(() => decryptResource('0'.repeat(32), entry.encrypt_certificate)).toThrow(/does not decrypt/);
	});
});
