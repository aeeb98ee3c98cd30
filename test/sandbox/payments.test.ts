import { generateKeyPairSync } from 'crypto';
import http, { type IncomingHttpHeaders } from 'http';
import type { AddressInfo } from 'net';
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';

import { ALIPAY_REFUND_METHOD, ALIPAY_REFUND_QUERY_METHOD, readAlipayAnswer, signedAlipayRequest, verifyAlipayNotification } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/api';
import { readAlipay, type AlipayCredentials } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/credentials';
import { alipayRefunds } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/refunds';
import { readWeChatPay, type WeChatPayCredentials } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/credentials';
import { weChatPayRefunds } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/refunds';
import type { Ctx } from '../../packages/shared/http';
import { createRefund, readRefund } from '../../packages/shared/refunds';
import { decryptResource, WECHAT_REFUNDS_PATH, weChatAuthorization, weChatHeaders, weChatSignatureProblem } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/api';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';

/** The payment sandbox, driven by our own signing helpers and refund client over real HTTP. */

type Json = any;

let sb: RunningPaymentSandbox;
let wx: WeChatPayCredentials;
let ali: AlipayCredentials;
const logLines: string[] = [];
let seq = 0;
const no = (prefix: string): string => `${prefix}${Date.now().toString(36)}${seq++}`;

/** A tiny notify_url receiver that keeps headers and the raw body. */
const hits: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
const receiver = http.createServer((req, res) => {
	let body = '';
	req.on('data', (chunk) => (body += chunk));
	req.on('end', () => {
		hits.push({ path: req.url ?? '/', headers: req.headers, body });
		res.writeHead(200, { 'Content-Type': 'text/plain' });
		res.end('success');
	});
});
let receiverUrl = '';

beforeAll(async () => {
	sb = await startPaymentSandbox({ log: (line) => logLines.push(line) });
	wx = readWeChatPay(sb.weChatPay as unknown as ICredentialDataDecryptedObject);
	ali = readAlipay(sb.alipay as unknown as ICredentialDataDecryptedObject);
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await sb.close();
	receiver.closeAllConnections();
	await new Promise((resolve) => receiver.close(resolve));
});

/** A signed WeChat Pay v3 call; `signer` defaults to the sandbox credential. */
async function weChat(method: 'GET' | 'POST', path: string, payload?: object, signer: WeChatPayCredentials = wx): Promise<{ status: number; headers: Record<string, string>; text: string; json: Json }> {
	const body = payload ? JSON.stringify(payload) : '';
	const res = await fetch(`${sb.baseUrl}${path}`, {
		method,
		headers: { Authorization: weChatAuthorization(signer, method, path, body), 'Content-Type': 'application/json', Accept: 'application/json' },
		body: payload ? body : undefined,
	});
	const text = await res.text();
	return { status: res.status, headers: Object.fromEntries(res.headers), text, json: JSON.parse(text) };
}

const verifies = (answer: { headers: Record<string, string>; text: string }) => weChatSignatureProblem(weChatHeaders(answer.headers), answer.text, wx.publicKey, wx.publicKeyId);

/** A signed gateway call; the answer read (and its sign checked) with our own reader. */
async function alipay(method: string, biz: Record<string, unknown>, creds: AlipayCredentials = ali): Promise<{ response: Json; signatureValid: boolean }> {
	const params = signedAlipayRequest(creds.appId, method, biz, creds.privateKey);
	const res = await fetch(sb.alipay.gatewayUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(params).toString() });
	expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
	const answer = readAlipayAnswer(await res.text(), method, ali.alipayPublicKey);
	if (!answer) throw new Error('not an Alipay answer');
	return answer;
}

async function paid(provider: 'weChatPay' | 'alipay', amountFen = 350, attach = ''): Promise<string> {
	const outTradeNo = no(provider === 'weChatPay' ? 'W' : 'A');
	const result = await sb.pay({ provider, out_trade_no: outTradeNo, amount_fen: amountFen, notify_url: `${receiverUrl}/${outTradeNo}`, attach });
	expect(result.notify_status).toBe(200);
	return outTradeNo;
}

const otherKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

describe('WeChat Pay v3', () => {
	it('accepts a signed refund and answers the v3 refund object, signed with the platform key', async () => {
		const outTradeNo = await paid('weChatPay', 350);
		const key = no('R');
		const answer = await weChat('POST', WECHAT_REFUNDS_PATH, { out_trade_no: outTradeNo, out_refund_no: key, amount: { refund: 150, total: 350, currency: 'CNY' } });
		expect(answer.status).toBe(200);
		expect(verifies(answer)).toBeUndefined();
		expect(answer.headers['wechatpay-serial']).toBe(sb.weChatPay.publicKeyId);
		expect(answer.json).toMatchObject({
			out_refund_no: key,
			out_trade_no: outTradeNo,
			channel: 'ORIGINAL',
			user_received_account: '支付用户零钱',
			status: 'SUCCESS',
			funds_account: 'AVAILABLE',
			amount: { total: 350, refund: 150, payer_total: 350, payer_refund: 150, settlement_refund: 150, settlement_total: 350, discount_refund: 0, currency: 'CNY' },
		});
		expect(answer.json.transaction_id).toMatch(/^\d{28}$/);
		expect(answer.json.success_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);

		const got = await weChat('GET', `${WECHAT_REFUNDS_PATH}/${key}`);
		expect(got.status).toBe(200);
		expect(verifies(got)).toBeUndefined();
		expect(got.json.refund_id).toBe(answer.json.refund_id);
	});

	it('refuses a request signed with another key, a wrong serial or mchid, with a signed SIGN_ERROR', async () => {
		const outTradeNo = await paid('weChatPay');
		const payload = { out_trade_no: outTradeNo, out_refund_no: no('R'), amount: { refund: 100, total: 350, currency: 'CNY' } };
		for (const signer of [{ ...wx, privateKey: otherKey() }, { ...wx, serialNo: '0'.repeat(40) }, { ...wx, mchId: '1900000001' }]) {
			const answer = await weChat('POST', WECHAT_REFUNDS_PATH, payload, signer);
			expect(answer.status).toBe(401);
			expect(answer.json.code).toBe('SIGN_ERROR');
			expect(verifies(answer)).toBeUndefined();
		}
		expect(sb.state().payments).toEqual(expect.arrayContaining([expect.objectContaining({ out_trade_no: outTradeNo, refunded_fen: 0 })]));
	});

	it('answers a repeated out_refund_no with the same refund and refunds once', async () => {
		const outTradeNo = await paid('weChatPay', 500);
		const payload = { out_trade_no: outTradeNo, out_refund_no: no('R'), amount: { refund: 300, total: 500, currency: 'CNY' } };
		const first = await weChat('POST', WECHAT_REFUNDS_PATH, payload);
		const again = await weChat('POST', WECHAT_REFUNDS_PATH, payload);
		expect(again.status).toBe(200);
		expect(again.json.refund_id).toBe(first.json.refund_id);
		const state = sb.state() as Json;
		expect(state.refunds.filter((r: Json) => r.refund_key === payload.out_refund_no)).toEqual([expect.objectContaining({ attempts: 2, refund_fen: 300 })]);
		expect(state.payments.find((p: Json) => p.out_trade_no === outTradeNo).refunded_fen).toBe(300);
	});

	it('keeps the real rules: unknown payment, wrong total, more than paid, unknown refund', async () => {
		const outTradeNo = await paid('weChatPay', 350);
		const refund = (trade: string, refundFen: number, total: number) => weChat('POST', WECHAT_REFUNDS_PATH, { out_trade_no: trade, out_refund_no: no('R'), amount: { refund: refundFen, total, currency: 'CNY' } });
		expect((await refund('NOPE', 100, 350)).json.code).toBe('RESOURCE_NOT_EXISTS');
		const wrongTotal = await refund(outTradeNo, 100, 999);
		expect([wrongTotal.status, wrongTotal.json.code]).toEqual([400, 'INVALID_REQUEST']);
		expect((await refund(outTradeNo, 300, 350)).status).toBe(200);
		const over = await refund(outTradeNo, 100, 350);
		expect([over.status, over.json.code]).toEqual([400, 'INVALID_REQUEST']);
		const missing = await weChat('GET', `${WECHAT_REFUNDS_PATH}/NO_SUCH_REFUND`);
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ code: 'RESOURCE_NOT_EXISTS', message: '退款单不存在' });
		expect(verifies(missing)).toBeUndefined();
	});

	it('answers PROCESSING (no success_time) while the switch says so', async () => {
		const outTradeNo = await paid('weChatPay');
		sb.setWeChatRefundStatus('PROCESSING');
		try {
			const key = no('R');
			const answer = await weChat('POST', WECHAT_REFUNDS_PATH, { out_trade_no: outTradeNo, out_refund_no: key, amount: { refund: 100, total: 350, currency: 'CNY' } });
			expect(answer.json.status).toBe('PROCESSING');
			expect(answer.json).not.toHaveProperty('success_time');
			sb.setWeChatRefundStatus('SUCCESS', key);
			expect((await weChat('GET', `${WECHAT_REFUNDS_PATH}/${key}`)).json.status).toBe('SUCCESS');
		} finally {
			sb.setWeChatRefundStatus('SUCCESS');
		}
	});
});

describe('Alipay gateway', () => {
	it('refunds once per out_request_no: Y then N, a changed amount is discordant', async () => {
		const outTradeNo = await paid('alipay', 350);
		const biz = { out_trade_no: outTradeNo, out_request_no: no('Q'), refund_amount: '1.50', refund_reason: 'test' };
		const first = await alipay(ALIPAY_REFUND_METHOD, biz);
		expect(first.signatureValid).toBe(true);
		expect(first.response).toMatchObject({ code: '10000', msg: 'Success', out_trade_no: outTradeNo, fund_change: 'Y', refund_fee: '1.50', send_back_fee: '1.50' });
		expect(first.response.trade_no).toMatch(/^\d{28}$/);
		expect(first.response.gmt_refund_pay).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		const again = await alipay(ALIPAY_REFUND_METHOD, biz);
		expect(again.response).toMatchObject({ code: '10000', fund_change: 'N', refund_fee: '1.50' });
		expect((await alipay(ALIPAY_REFUND_METHOD, { ...biz, refund_amount: '1.00' })).response.sub_code).toBe('ACQ.DISCORDANT_REPEAT_REQUEST');
		const mine = sb.refunds().filter((r) => r.refund_key === biz.out_request_no);
		expect(mine).toEqual([expect.objectContaining({ attempts: 3, refund_fen: 150 })]);
	});

	it('refuses more than is left, an unknown payment, and a wrong app key', async () => {
		const outTradeNo = await paid('alipay', 350);
		expect((await alipay(ALIPAY_REFUND_METHOD, { out_trade_no: outTradeNo, out_request_no: no('Q'), refund_amount: '3.51' })).response.sub_code).toBe('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL');
		expect((await alipay(ALIPAY_REFUND_METHOD, { out_trade_no: 'NOPE', out_request_no: no('Q'), refund_amount: '1.00' })).response.sub_code).toBe('ACQ.TRADE_NOT_EXIST');
		const forged = await alipay(ALIPAY_REFUND_METHOD, { out_trade_no: outTradeNo, out_request_no: no('Q'), refund_amount: '1.00' }, { ...ali, privateKey: otherKey() });
		expect(forged.response).toMatchObject({ code: '40002', sub_code: 'isv.invalid-signature' });
		expect(forged.signatureValid).toBe(true);
		expect(sb.state().payments).toEqual(expect.arrayContaining([expect.objectContaining({ out_trade_no: outTradeNo, refunded_fen: 0 })]));
	});

	it('queries: a known refund is REFUND_SUCCESS, an unknown one has no refund_status', async () => {
		const outTradeNo = await paid('alipay', 350);
		const key = no('Q');
		await alipay(ALIPAY_REFUND_METHOD, { out_trade_no: outTradeNo, out_request_no: key, refund_amount: '3.50' });
		const known = await alipay(ALIPAY_REFUND_QUERY_METHOD, { out_trade_no: outTradeNo, out_request_no: key });
		expect(known.signatureValid).toBe(true);
		expect(known.response).toMatchObject({ code: '10000', refund_status: 'REFUND_SUCCESS', refund_amount: '3.50', total_amount: '3.50', out_request_no: key });
		const unknown = await alipay(ALIPAY_REFUND_QUERY_METHOD, { out_trade_no: outTradeNo, out_request_no: 'NEVER' });
		expect(unknown.response.code).toBe('10000');
		expect(unknown.response).not.toHaveProperty('refund_status');
	});

	it('reads public parameters from the query string too', async () => {
		const outTradeNo = await paid('alipay', 200);
		const params = signedAlipayRequest(ali.appId, ALIPAY_REFUND_METHOD, { out_trade_no: outTradeNo, out_request_no: no('Q'), refund_amount: '2.00' }, ali.privateKey);
		const { biz_content, ...pub } = params;
		const res = await fetch(`${sb.alipay.gatewayUrl}?${new URLSearchParams(pub)}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ biz_content }).toString() });
		expect(readAlipayAnswer(await res.text(), ALIPAY_REFUND_METHOD, ali.alipayPublicKey)?.response).toMatchObject({ code: '10000', fund_change: 'Y', refund_fee: '2.00' });
	});
});

describe('our refund client against the sandbox', () => {
	const node = { name: 'Payment', type: 'n8n-nodes-wechatpay.weChatPay', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;
	const ctx = {
		getNode: () => node,
		helpers: {
			httpRequest: async (o: { method: string; url: string; headers: Record<string, string>; body?: string }) => {
				const res = await fetch(o.url, { method: o.method, headers: o.headers, body: o.body });
				return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
			},
		},
	} as unknown as Ctx;

	it('creates, then reads back as existing, at both providers', async () => {
		const w = await paid('weChatPay', 350);
		const wOrder = { outTradeNo: w, refundKey: no('R'), refundFen: 100, totalFen: 350 };
		const made = await createRefund(ctx, weChatPayRefunds(wx), wOrder);
		expect(made).toMatchObject({ existed: false, state: { status: 'SUCCESS', refundFen: 100, totalFen: 350 } });
		expect((await createRefund(ctx, weChatPayRefunds(wx), wOrder)).existed).toBe(true);
		expect(await readRefund(ctx, weChatPayRefunds(wx), w, 'NEVER')).toBeUndefined();

		const a = await paid('alipay', 350);
		const aOrder = { outTradeNo: a, refundKey: no('Q'), refundFen: 120 };
		expect(await createRefund(ctx, alipayRefunds(ali), aOrder)).toMatchObject({ existed: false, state: { status: 'SUCCESS', refundFen: 120, fundChange: true } });
		expect(await createRefund(ctx, alipayRefunds(ali), aOrder)).toMatchObject({ existed: true, state: { refundFen: 120, totalFen: 350 } });
		expect(sb.refunds().filter((r) => r.refund_key === wOrder.refundKey || r.refund_key === aOrder.refundKey).map((r) => r.attempts)).toEqual([1, 1]);
	});
});

describe('notifications and admin', () => {
	it('pushes a signed, encrypted WeChat notification and the same event again on notify-again', async () => {
		const outTradeNo = await paid('weChatPay', 350, 'order-42');
		const [hit] = hits.filter((h) => h.path === `/${outTradeNo}`);
		expect(weChatSignatureProblem(weChatHeaders(hit.headers), hit.body, wx.publicKey, wx.publicKeyId)).toBeUndefined();
		const event = JSON.parse(hit.body);
		expect(event).toMatchObject({ resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
		const transaction = JSON.parse(decryptResource(sb.weChatPay.apiV3Key, event.resource));
		expect(transaction).toMatchObject({ mchid: '1900000109', out_trade_no: outTradeNo, trade_state: 'SUCCESS', attach: 'order-42', amount: { total: 350, payer_total: 350, currency: 'CNY' } });
		expect(transaction.transaction_id).toMatch(/^\d{28}$/);

		const res = await fetch(`${sb.baseUrl}/__payments/notify-again`, { method: 'POST', body: JSON.stringify({ provider: 'weChatPay', out_trade_no: outTradeNo }) });
		expect(await res.json()).toMatchObject({ transaction_id: transaction.transaction_id, notify_status: 200, notify_body: 'success' });
		const both = hits.filter((h) => h.path === `/${outTradeNo}`);
		expect(both).toHaveLength(2);
		expect(JSON.parse(both[1].body).id).toBe(event.id);
		expect(weChatSignatureProblem(weChatHeaders(both[1].headers), both[1].body, wx.publicKey, wx.publicKeyId)).toBeUndefined();
	});

	it('pushes a signed Alipay form notification via POST /__payments/pay', async () => {
		const outTradeNo = no('A');
		const res = await fetch(`${sb.baseUrl}/__payments/pay`, {
			method: 'POST',
			body: JSON.stringify({ provider: 'alipay', out_trade_no: outTradeNo, amount: '3.50', notify_url: `${receiverUrl}/${outTradeNo}`, attach: 'machine-7' }),
		});
		const answer = (await res.json()) as Json;
		expect(answer).toMatchObject({ notify_status: 200, notify_body: 'success' });
		const [hit] = hits.filter((h) => h.path === `/${outTradeNo}`);
		expect(hit.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
		const params = Object.fromEntries(new URLSearchParams(hit.body));
		expect(verifyAlipayNotification(params, ali.alipayPublicKey)).toBe(true);
		expect(params).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_amount: '3.50', passback_params: 'machine-7', trade_no: answer.transaction_id, app_id: sb.alipay.appId });
		expect(verifyAlipayNotification({ ...params, total_amount: '350.00' }, ali.alipayPublicKey)).toBe(false);
	});

	it('reports a notify_url that does not answer instead of throwing', async () => {
		const dead = http.createServer();
		await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
		const port = (dead.address() as AddressInfo).port;
		await new Promise((resolve) => dead.close(resolve));
		const result = await sb.pay({ provider: 'weChatPay', out_trade_no: no('W'), amount_fen: 1, notify_url: `http://127.0.0.1:${port}/gone` });
		expect(result.notify_status).toBeNull();
		expect(result.notify_error).toBe('ECONNREFUSED');
		expect(result.transaction_id).toMatch(/^\d{28}$/);
	});

	it('refuses a bad pay request and a repeated out_trade_no', async () => {
		const post = (body: object) => fetch(`${sb.baseUrl}/__payments/pay`, { method: 'POST', body: JSON.stringify(body) });
		expect((await post({ provider: 'paypal', out_trade_no: 'X1', amount_fen: 1, notify_url: receiverUrl })).status).toBe(400);
		expect((await post({ provider: 'alipay', out_trade_no: 'X1', amount_fen: 1.5, notify_url: receiverUrl })).status).toBe(400);
		const outTradeNo = await paid('alipay');
		expect((await post({ provider: 'alipay', out_trade_no: outTradeNo, amount_fen: 1, notify_url: receiverUrl })).status).toBe(409);
	});

	it('never logs keys, signatures or the APIv3 key', () => {
		expect(logLines.length).toBeGreaterThan(10);
		const all = logLines.join('\n');
		expect(all).not.toMatch(/BEGIN|PRIVATE|signature=|sign=/);
		expect(all).not.toContain(sb.weChatPay.apiV3Key);
	});

	it('starts again with the same credentials from keys()', async () => {
		const again = await startPaymentSandbox({ keys: sb.keys() });
		try {
			expect({ ...again.weChatPay, baseUrl: '' }).toEqual({ ...sb.weChatPay, baseUrl: '' });
			expect({ ...again.alipay, gatewayUrl: '' }).toEqual({ ...sb.alipay, gatewayUrl: '' });
			expect(again.baseUrl).not.toBe(sb.baseUrl);
		} finally {
			await again.close();
		}
	});
});

describe('plain refund API (POST /__payments/refunds, for the examples without a provider credential)', () => {
	it('refunds a key once, answers later calls as repeats, counts every call, lists them apart from the providers\' refunds, forgets on reset', async () => {
		const own = await startPaymentSandbox({ keys: sb.keys() });
		try {
			const refund = async (body: unknown) => {
				const res = await fetch(`${own.baseUrl}/__payments/refunds`, { method: 'POST', body: JSON.stringify(body) });
				return { status: res.status, json: (await res.json()) as Json };
			};
			const state = async (): Promise<Json> => await (await fetch(`${own.baseUrl}/__payments/state`)).json();
			const first = await refund({ refund_key: 'dsr-1000-5000', order_id: 1000, record_id: 5000 });
			expect(first).toEqual({ status: 200, json: { refunded: true, duplicate: false, refund_key: 'dsr-1000-5000', refunded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });
			expect(await refund({ refund_key: 'dsr-1000-5000', order_id: 1000, record_id: 5000 })).toEqual({
				status: 200,
				json: { refunded: false, duplicate: true, refund_key: 'dsr-1000-5000', refunded_at: first.json.refunded_at },
			});
			expect((await refund({ refund_key: 'dsr-1000-5001' })).json).toMatchObject({ refunded: true, duplicate: false });
			expect(await refund({ refund_key: 'not a key!' })).toEqual({ status: 400, json: { error: 'refund_key must be 1–64 characters of A-Z a-z 0-9 _ -' } });
			expect((await refund({ refund_key: 'x'.repeat(65) })).status).toBe(400);
			expect((await refund({})).status).toBe(400);

			const listed = [
				{ refund_key: 'dsr-1000-5000', order_id: 1000, record_id: 5000, attempts: 2, refunded_at: first.json.refunded_at },
				expect.objectContaining({ refund_key: 'dsr-1000-5001', attempts: 1 }),
			];
			const before = await state();
			expect(before.plainRefunds).toEqual(listed);
			expect(before.refunds).toEqual([]); // WeChat Pay / Alipay refunds are another list
			expect(own.plainRefunds()).toEqual(listed);
			expect(own.state().plainRefunds).toEqual(listed);

			expect((await fetch(`${own.baseUrl}/__payments/reset`, { method: 'POST' })).status).toBe(200);
			expect((await state()).plainRefunds).toEqual([]);
			expect(own.plainRefunds()).toEqual([]);
			expect((await refund({ refund_key: 'dsr-1000-5000' })).json).toMatchObject({ refunded: true });
		} finally {
			await own.close();
		}
	});
});
