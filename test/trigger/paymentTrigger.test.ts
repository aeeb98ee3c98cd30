import '../helpers/n8n/env';

import axios from 'axios';
import { createCipheriv, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'crypto';

import { AlipayApi } from '../../credentials/AlipayApi.credentials';
import { WeChatPayApi } from '../../credentials/WeChatPayApi.credentials';
import { DingShangPaymentNotificationTrigger } from '../../nodes/DingShangPaymentNotificationTrigger/DingShangPaymentNotificationTrigger.node';
import { signAlipayNotification } from '../../nodes/shared/payments/alipay';
import { encryptResource, signWeChatBody, unixSeconds } from '../../nodes/shared/payments/weChatPay';
import { startWebhookHarness, type WebhookHarness } from '../helpers/n8n/webhookRunner';

/**
 * The payment trigger through n8n-core's WebhookContext over real HTTP (test/helpers/n8n/webhookRunner.ts):
 * notifications built with our provider-side helpers, and independently with plain crypto.
 */

interface Pair {
	privatePem: string;
	publicPem: string;
	privateKey: KeyObject;
}
function rsaPair(): Pair {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	return { privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, publicPem: publicKey.export({ format: 'pem', type: 'spki' }) as string, privateKey };
}
const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

const MCH_ID = '1900000109';
const SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092024061100000001';
const API_V3_KEY = 'Qm7vT2xK9pLr4sWz8cYe1dHb6nFg3jAu';
const OTHER_API_V3_KEY = 'Zz7vT2xK9pLr4sWz8cYe1dHb6nFg3jAu';
const APP_ID = '2021000122671080';
const BAD_PUBLIC_KEY_TEXT = 'NotAKeyButSecretLookingText0123456789abcdefABCDEF';

let merchant: Pair; // WeChat Pay merchant key
let weChatPlatform: Pair; // WeChat Pay platform (public key mode)
let alipayApp: Pair;
let alipayPlatform: Pair;
let stranger: Pair;

/** Everything that left the node or the harness, searched for secrets at the end. */
const transcript: string[] = [];
const consoleLines: string[] = [];
const open: WebhookHarness[] = [];

beforeAll(() => {
	merchant = rsaPair();
	weChatPlatform = rsaPair();
	alipayApp = rsaPair();
	alipayPlatform = rsaPair();
	stranger = rsaPair();
	for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleLines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')));
	}
});
afterAll(async () => {
	jest.restoreAllMocks();
	await Promise.all(open.map((h) => h.close()));
});

const weChatCredential = (overrides: Record<string, string> = {}) => ({
	baseUrl: 'http://127.0.0.1:9',
	mchId: MCH_ID,
	serialNo: SERIAL,
	privateKey: merchant.privatePem,
	apiV3Key: API_V3_KEY,
	publicKeyId: PUBLIC_KEY_ID,
	publicKey: weChatPlatform.publicPem,
	...overrides,
});
const alipayCredential = () => ({ gatewayUrl: 'http://127.0.0.1:9/gateway.do', appId: APP_ID, privateKey: alipayApp.privatePem, alipayPublicKey: pemBody(alipayPlatform.publicPem) });

async function trigger(provider: 'weChatPay' | 'alipay', credential: Record<string, string>): Promise<WebhookHarness> {
	const harness = await startWebhookHarness({
		nodeType: new DingShangPaymentNotificationTrigger(),
		typeName: 'dingShangPaymentNotificationTrigger',
		credentialTypes: { weChatPayApi: new WeChatPayApi(), alipayApi: new AlipayApi() },
		credentials: provider === 'weChatPay' ? { weChatPayApi: credential } : { alipayApi: credential },
		parameters: { provider },
	});
	open.push(harness);
	return harness;
}

interface Answer {
	status: number;
	text: string;
	contentType: string;
	json?: Record<string, unknown>;
}
async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
	const res = await axios.post(url, body, { headers, validateStatus: () => true, responseType: 'text', transformRequest: (d: unknown) => d, transformResponse: (d: unknown) => d });
	const text = typeof res.data === 'string' ? res.data : '';
	transcript.push(JSON.stringify(res.headers), text);
	let json: Record<string, unknown> | undefined;
	try {
		json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, text, contentType: String(res.headers['content-type'] ?? ''), json };
}
const items = (h: WebhookHarness) => h.executions.map((e) => e[0][0].json);

// ---------------------------------------------------------------------------------------------
// WeChat Pay
let serialNumber = 0;
const transaction = (overrides: Record<string, unknown> = {}) => {
	serialNumber++;
	return {
		appid: 'wx8888888888888888',
		mchid: MCH_ID,
		out_trade_no: `T2024061100000${serialNumber}`,
		transaction_id: `42000000012024061100000000${serialNumber}`,
		trade_type: 'NATIVE',
		trade_state: 'SUCCESS',
		trade_state_desc: '支付成功',
		bank_type: 'OTHERS',
		attach: 'machine_no=10000001&order_id=1234',
		success_time: '2024-06-11T10:00:04+08:00',
		payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
		amount: { total: 250, payer_total: 250, currency: 'CNY', payer_currency: 'CNY' },
		...overrides,
	};
};
const envelope = (resource: unknown, eventType = 'TRANSACTION.SUCCESS') =>
	JSON.stringify({ id: `EV-${randomBytes(6).toString('hex')}`, create_time: '2024-06-11T10:00:05+08:00', resource_type: 'encrypt-resource', event_type: eventType, summary: '支付成功', resource });

/** A notification made with our provider-side helpers. */
function weChatNotification(tx: Record<string, unknown>, opts: { apiV3Key?: string; signer?: KeyObject; serial?: string; timestamp?: string; eventType?: string } = {}) {
	const body = envelope(encryptResource(opts.apiV3Key ?? API_V3_KEY, JSON.stringify(tx), 'transaction', 'transaction'), opts.eventType);
	const headers = signWeChatBody(opts.signer ?? weChatPlatform.privateKey, opts.serial ?? PUBLIC_KEY_ID, body, opts.timestamp);
	return { body, headers: { ...headers, 'Content-Type': 'application/json' } };
}

/** The same, with plain crypto only, as WeChat Pay's documentation describes it (independent of our code). */
function weChatNotificationByHand(tx: Record<string, unknown>) {
	const nonce = randomBytes(6).toString('hex');
	const cipher = createCipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from(nonce));
	cipher.setAAD(Buffer.from('transaction'));
	const ciphertext = Buffer.concat([cipher.update(JSON.stringify(tx), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
	const body = envelope({ original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'transaction', nonce });
	const timestamp = String(Math.floor(Date.now() / 1000));
	const headerNonce = randomBytes(16).toString('hex');
	const signature = createSign('RSA-SHA256').update(`${timestamp}\n${headerNonce}\n${body}\n`, 'utf8').sign(weChatPlatform.privatePem, 'base64');
	return {
		body,
		headers: { 'Content-Type': 'application/json', 'Wechatpay-Timestamp': timestamp, 'Wechatpay-Nonce': headerNonce, 'Wechatpay-Signature': signature, 'Wechatpay-Serial': PUBLIC_KEY_ID, 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' },
	};
}

describe('WeChat Pay notifications', () => {
	let h: WebhookHarness;
	beforeAll(async () => (h = await trigger('weChatPay', weChatCredential())));

	const refused = async (n: { body: string; headers: Record<string, string> }, status: number, message: RegExp) => {
		const before = h.executions.length;
		const res = await post(h.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(status);
		expect(res.json).toMatchObject({ code: 'FAIL' });
		expect(String(res.json?.message)).toMatch(message);
		expect(h.executions.length).toBe(before);
		return res;
	};

	it('valid notification: 204, one execution with the paid order (attach "machine_no=…&order_id=…")', async () => {
		const tx = transaction();
		const n = weChatNotification(tx);
		const res = await post(h.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(204);
		expect(res.text).toBe('');
		expect(h.executions).toHaveLength(1);
		expect(items(h)[0]).toEqual({
			provider: 'weChatPay',
			event: 'payment.succeeded',
			out_trade_no: tx.out_trade_no,
			transaction_id: tx.transaction_id,
			amount: 2.5,
			currency: 'CNY',
			provider_amount: { total: 250, payer_total: 250, unit: 'fen', currency: 'CNY' },
			paid_at: '2024-06-11T10:00:04+08:00',
			payer: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
			attach: 'machine_no=10000001&order_id=1234',
			machine_no: '10000001',
			order_id: 1234,
			trade_state: 'SUCCESS',
		});
	});

	it('JSON attach: machine_no and order_id are read from it', async () => {
		const attach = JSON.stringify({ machine_no: '10000002', order_id: 98765 });
		const tx = transaction({ attach, amount: { total: 1, payer_total: 1, currency: 'CNY' } });
		const n = weChatNotification(tx);
		expect((await post(h.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(items(h).at(-1)).toMatchObject({ transaction_id: tx.transaction_id, attach, machine_no: '10000002', order_id: 98765, amount: 0.01 });
	});

	it('a notification signed and encrypted with plain crypto (independent of our helpers) is accepted', async () => {
		const tx = transaction({ attach: '', amount: { total: 12345, payer_total: 12000, currency: 'CNY' } });
		const before = h.executions.length;
		const n = weChatNotificationByHand(tx);
		expect((await post(h.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(h.executions.length).toBe(before + 1);
		const item = items(h).at(-1)!;
		expect(item).toMatchObject({ transaction_id: tx.transaction_id, amount: 123.45, provider_amount: { total: 12345, payer_total: 12000 }, attach: '' });
		expect(item).not.toHaveProperty('machine_no');
		expect(item).not.toHaveProperty('order_id');
	});

	it('tampered body: 401 {code:"FAIL"}, no execution', async () => {
		const n = weChatNotification(transaction());
		const tampered = n.body.replace('"summary":"支付成功"', '"summary":"支付成功 "');
		expect(tampered).not.toBe(n.body);
		const res = await refused({ body: tampered, headers: n.headers }, 401, /signature/);
		expect(res.contentType).toMatch(/application\/json/);
	});

	it('signed by a wrong key: 401', async () => {
		await refused(weChatNotification(transaction(), { signer: stranger.privateKey }), 401, /does not verify/);
	});

	it('timestamp 6 minutes old: 401 (stale)', async () => {
		await refused(weChatNotification(transaction(), { timestamp: unixSeconds(Date.now() - 6 * 60_000) }), 401, /5 minutes|stale/);
		// 4 minutes is within WeChat Pay's advice: accepted
		const before = h.executions.length;
		const n = weChatNotification(transaction(), { timestamp: unixSeconds(Date.now() - 4 * 60_000) });
		expect((await post(h.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(h.executions.length).toBe(before + 1);
	});

	it('the same notification posted twice: both 204, one execution', async () => {
		const n = weChatNotification(transaction());
		const before = h.executions.length;
		expect((await post(h.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect((await post(h.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(h.executions.length).toBe(before + 1);
		// a re-push of the same payment with a fresh signature is a duplicate too
		const tx = JSON.parse(JSON.stringify(items(h).at(-1))) as Record<string, unknown>;
		const again = weChatNotification(transaction({ out_trade_no: tx.out_trade_no, transaction_id: tx.transaction_id }));
		expect((await post(h.webhookUrl, again.body, again.headers)).status).toBe(204);
		expect(h.executions.length).toBe(before + 1);
	});

	it('encrypted with another APIv3 key: 400 FAIL, the message does not carry the key', async () => {
		const res = await refused(weChatNotification(transaction(), { apiV3Key: OTHER_API_V3_KEY }), 400, /does not decrypt/);
		expect(res.text).not.toContain(API_V3_KEY);
		expect(res.text).not.toContain(OTHER_API_V3_KEY);
	});

	it('trade_state not SUCCESS, or another event: 204, no execution', async () => {
		const before = h.executions.length;
		for (const n of [weChatNotification(transaction({ trade_state: 'NOTPAY' })), weChatNotification(transaction({ trade_state: 'REFUND' })), weChatNotification(transaction(), { eventType: 'REFUND.SUCCESS' })]) {
			const res = await post(h.webhookUrl, n.body, n.headers);
			expect(res.status).toBe(204);
		}
		expect(h.executions.length).toBe(before);
	});

	it('Wechatpay-Serial not the credential\'s Public Key ID: 401', async () => {
		await refused(weChatNotification(transaction(), { serial: 'PUB_KEY_ID_0119000001092099999999999999' }), 401, /Public Key ID/);
	});

	it('a payment of another merchant: 400, no execution', async () => {
		await refused(weChatNotification(transaction({ mchid: '1900000999' })), 400, /merchant/);
	});

	it('no signature headers, or an empty body: refused', async () => {
		const n = weChatNotification(transaction());
		await refused({ body: n.body, headers: { 'Content-Type': 'application/json' } }, 401, /missing/);
		await refused({ body: '', headers: n.headers }, 400, /empty/);
	});

	it('a credential with an unparsable public key: the answer names the field and holds no key text', async () => {
		const brokenText = `${BAD_PUBLIC_KEY_TEXT}!${pemBody(weChatPlatform.publicPem).slice(60, 140)}`;
		const broken = await trigger('weChatPay', weChatCredential({ publicKey: brokenText }));
		const n = weChatNotification(transaction());
		const res = await post(broken.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(500);
		expect(res.json).toMatchObject({ code: 'FAIL' });
		expect(String(res.json?.message)).toContain('WeChat Pay Public Key');
		expect(res.text).not.toContain(BAD_PUBLIC_KEY_TEXT);
		expect(res.text).not.toContain(pemBody(weChatPlatform.publicPem).slice(60, 140));
		expect(broken.executions).toHaveLength(0);
		// and a private key pasted as the public key is refused the same way
		const swapped = await trigger('weChatPay', weChatCredential({ publicKey: pemBody(weChatPlatform.privatePem) }));
		const res2 = await post(swapped.webhookUrl, n.body, n.headers);
		expect(res2.status).toBe(500);
		expect(String(res2.json?.message)).toContain('WeChat Pay Public Key');
		expect(swapped.executions).toHaveLength(0);
	});
});

// ---------------------------------------------------------------------------------------------
// Alipay
let tradeNumber = 0;
const notice = (overrides: Record<string, string> = {}): Record<string, string> => {
	tradeNumber++;
	return {
		notify_time: '2024-06-11 10:00:05',
		notify_type: 'trade_status_sync',
		notify_id: `ac05099524730693a8b330c5ecf72da978${tradeNumber}`,
		charset: 'utf-8',
		version: '1.0',
		app_id: APP_ID,
		auth_app_id: APP_ID,
		trade_no: `202406112200140408140000000${tradeNumber}`,
		out_trade_no: `A2024061100000${tradeNumber}`,
		seller_id: '2088101106499364',
		buyer_id: '2088102122524333',
		trade_status: 'TRADE_SUCCESS',
		total_amount: '3.50',
		receipt_amount: '3.50',
		buyer_pay_amount: '3.50',
		subject: '可口可乐 330ml 冰镇',
		body: '鼎商售货机 A 货道 1',
		gmt_create: '2024-06-11 10:00:01',
		gmt_payment: '2024-06-11 10:00:04',
		fund_bill_list: '[{"amount":"3.50","fundChannel":"ALIPAYACCOUNT"}]',
		passback_params: 'machine_no=10000001&order_id=1234',
		...overrides,
	};
};
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** Signed with plain crypto as Alipay documents it: sorted k=v of non-empty params except sign and sign_type. */
function alipaySignedByHand(params: Record<string, string>, key: string): string {
	const content = Object.keys(params)
		.filter((k) => params[k] !== '')
		.sort()
		.map((k) => `${k}=${params[k]}`)
		.join('&');
	const signed = { ...params, sign_type: 'RSA2', sign: createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64') };
	// encodeURIComponent (spaces as %20, as Alipay sends), not URLSearchParams' "+"
	return Object.entries(signed)
		.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
		.join('&');
}

describe('Alipay notifications', () => {
	let h: WebhookHarness;
	beforeAll(async () => (h = await trigger('alipay', alipayCredential())));

	const answers = async (body: string, expected: 'success' | 'fail', executions: number) => {
		const before = h.executions.length;
		const res = await post(h.webhookUrl, body, FORM);
		expect(res.text).toBe(expected);
		expect(res.contentType).toMatch(/^text\/plain/);
		expect(res.status === 200).toBe(expected === 'success');
		expect(h.executions.length).toBe(before + executions);
		return res;
	};

	it('valid form notification (Chinese subject, passback_params with & and =): 200 "success", one execution', async () => {
		const params = notice();
		const body = form(signAlipayNotification(params, alipayPlatform.privateKey));
		expect(body).toContain('passback_params=machine_no%3D10000001%26order_id%3D1234');
		await answers(body, 'success', 1);
		expect(items(h).at(-1)).toEqual({
			provider: 'alipay',
			event: 'payment.succeeded',
			out_trade_no: params.out_trade_no,
			transaction_id: params.trade_no,
			amount: 3.5,
			currency: 'CNY',
			provider_amount: { total_amount: '3.50', receipt_amount: '3.50', unit: 'yuan', currency: 'CNY' },
			paid_at: '2024-06-11T10:00:04+08:00',
			payer: '2088102122524333',
			attach: 'machine_no=10000001&order_id=1234',
			machine_no: '10000001',
			order_id: 1234,
			trade_state: 'TRADE_SUCCESS',
		});
	});

	it('signed with plain crypto, percent-encoded (%20 spaces), TRADE_FINISHED: accepted', async () => {
		const params = notice({ trade_status: 'TRADE_FINISHED', total_amount: '0.01', receipt_amount: '0.01', passback_params: '{"machine_no":"10000003","order_id":"77"}' });
		await answers(alipaySignedByHand(params, alipayPlatform.privatePem), 'success', 1);
		expect(items(h).at(-1)).toMatchObject({ transaction_id: params.trade_no, amount: 0.01, machine_no: '10000003', order_id: 77, trade_state: 'TRADE_FINISHED' });
	});

	it('tampered amount: "fail", no execution', async () => {
		const signed = signAlipayNotification(notice(), alipayPlatform.privateKey);
		await answers(form({ ...signed, total_amount: '0.01' }), 'fail', 0);
		await answers(form({ ...signed, subject: '百事可乐' }), 'fail', 0);
		const { sign: _sign, ...unsigned } = signed;
		await answers(form(unsigned), 'fail', 0);
	});

	it('signed by a wrong key: "fail"', async () => {
		await answers(form(signAlipayNotification(notice(), stranger.privateKey)), 'fail', 0);
		await answers(alipaySignedByHand(notice(), alipayApp.privatePem), 'fail', 0); // the app's own key is not Alipay's
	});

	it('TRADE_CLOSED / WAIT_BUYER_PAY: "success", no execution', async () => {
		await answers(form(signAlipayNotification(notice({ trade_status: 'TRADE_CLOSED' }), alipayPlatform.privateKey)), 'success', 0);
		await answers(form(signAlipayNotification(notice({ trade_status: 'WAIT_BUYER_PAY' }), alipayPlatform.privateKey)), 'success', 0);
	});

	it('a refund notice (TRADE_SUCCESS with refund_fee): "success", no execution', async () => {
		const params = notice({ refund_fee: '1.00', gmt_refund: '2024-06-11 11:00:00.123', out_biz_no: 'R20240611000001' });
		await answers(form(signAlipayNotification(params, alipayPlatform.privateKey)), 'success', 0);
		await answers(form(signAlipayNotification(notice({ refund_fee: '1.00' }), alipayPlatform.privateKey)), 'success', 0);
	});

	it('replay: the same notification twice starts one execution', async () => {
		const body = form(signAlipayNotification(notice(), alipayPlatform.privateKey));
		await answers(body, 'success', 1);
		await answers(body, 'success', 0);
	});

	it('app_id of another app: "fail", no execution', async () => {
		await answers(form(signAlipayNotification(notice({ app_id: '2021000199999999' }), alipayPlatform.privateKey)), 'fail', 0);
	});
});

// ---------------------------------------------------------------------------------------------
describe('secrets', () => {
	it('no private key, public key body or APIv3 key appears in any answer, item, error or log', () => {
		for (const h of open) for (const e of h.webhookErrors) transcript.push(`${e.message} ${e.stack ?? ''}`);
		for (const h of open) transcript.push(JSON.stringify(h.executions), JSON.stringify(h.staticData));
		transcript.push(...consoleLines);
		const everything = transcript.join('\n');
		expect(transcript.length).toBeGreaterThan(40); // the answers above were all recorded
		expect(everything).toContain('WeChat Pay Public Key'); // the broken-credential answer is in it
		const secrets: Array<[string, string]> = [
			['APIv3 key', API_V3_KEY],
			['other APIv3 key', OTHER_API_V3_KEY],
			['bad public key text', BAD_PUBLIC_KEY_TEXT],
		];
		for (const [name, pair] of [['merchant', merchant], ['weChatPlatform', weChatPlatform], ['alipayApp', alipayApp], ['alipayPlatform', alipayPlatform], ['stranger', stranger]] as const) {
			const priv = pemBody(pair.privatePem);
			const pub = pemBody(pair.publicPem);
			// Key bodies share their DER prefix: search the whole body and distinctive slices of the key material.
			secrets.push([`${name} private`, priv], [`${name} private (slice)`, priv.slice(300, 360)], [`${name} private (tail)`, priv.slice(-80, -10)]);
			secrets.push([`${name} public`, pub], [`${name} public (modulus slice)`, pub.slice(60, 120)]);
		}
		const leaked = secrets.filter(([, secret]) => everything.includes(secret)).map(([name]) => name);
		expect(leaked).toEqual([]);
	});
});
