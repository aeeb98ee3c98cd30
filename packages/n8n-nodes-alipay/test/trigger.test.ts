import '../../../test/helpers/n8n/env';

import axios from 'axios';
import { createSign, generateKeyPairSync, type KeyObject } from 'crypto';
import type { INode } from 'n8n-workflow';

import { AlipayApi } from '../credentials/AlipayApi.credentials';
import { AlipayNotificationTrigger } from '../nodes/AlipayNotificationTrigger/AlipayNotificationTrigger.node';
import { signAlipayNotification } from '../nodes/shared/alipay/api';
import { startWebhookHarness, type WebhookHarness } from '../../../test/helpers/n8n/webhookRunner';

/**
 * The Alipay Notification Trigger through n8n-core's WebhookContext over real HTTP (test/helpers/n8n/webhookRunner.ts):
 * notifications signed with our provider-side helper, and independently with plain crypto. Its
 * output is the notification's parameters less sign and sign_type, `passback_params` parsed when a
 * query string.
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

const APP_ID = '2021000122671080';
const BAD_PUBLIC_KEY_TEXT = 'NotAKeyButSecretLookingText0123456789abcdefABCDEF';

let alipayApp: Pair;
let alipayPlatform: Pair;
let stranger: Pair;

/** Everything that left the node or the harness, searched for secrets at the end. */
const transcript: string[] = [];
const consoleLines: string[] = [];
const open: WebhookHarness[] = [];

beforeAll(() => {
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

const alipayCredential = (overrides: Record<string, string> = {}) => ({
	gatewayUrl: 'http://127.0.0.1:9/gateway.do',
	appId: APP_ID,
	privateKey: alipayApp.privatePem,
	alipayPublicKey: pemBody(alipayPlatform.publicPem),
	...overrides,
});

async function trigger(credential: Record<string, string>, parameters: Record<string, number> = {}): Promise<WebhookHarness> {
	const harness = await startWebhookHarness({
		nodeType: new AlipayNotificationTrigger(),
		typeName: 'alipayNotificationTrigger',
		credentialTypes: { alipayApi: new AlipayApi() },
		credentials: { alipayApi: credential },
		parameters,
	});
	open.push(harness);
	return harness;
}

interface Answer {
	status: number;
	text: string;
	contentType: string;
}
async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
	const res = await axios.post(url, body, { headers, validateStatus: () => true, responseType: 'text', transformRequest: (d: unknown) => d, transformResponse: (d: unknown) => d });
	const text = typeof res.data === 'string' ? res.data : '';
	transcript.push(JSON.stringify(res.headers), text);
	return { status: res.status, text, contentType: String(res.headers['content-type'] ?? '') };
}
const items = (h: WebhookHarness) => h.executions.map((e) => e[0][0].json);

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
const signed = (params: Record<string, string>) => form(signAlipayNotification(params, alipayPlatform.privateKey));

/** Signed with plain crypto as Alipay documents it: sorted k=v of non-empty params except sign and sign_type. */
function alipaySignedByHand(params: Record<string, string>, key: string): string {
	const content = Object.keys(params)
		.filter((k) => params[k] !== '')
		.sort()
		.map((k) => `${k}=${params[k]}`)
		.join('&');
	const withSign = { ...params, sign_type: 'RSA2', sign: createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64') };
	// encodeURIComponent (spaces as %20, as Alipay sends), not URLSearchParams' "+"
	return Object.entries(withSign)
		.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
		.join('&');
}

describe('Alipay notifications', () => {
	let h: WebhookHarness;
	beforeAll(async () => (h = await trigger(alipayCredential())));

	const answers = async (body: string, expected: 'success' | 'fail', executions: number, harness = h) => {
		const before = harness.executions.length;
		const res = await post(harness.webhookUrl, body, FORM);
		expect(res.text).toBe(expected);
		expect(res.contentType).toMatch(/^text\/plain/);
		expect(res.status === 200).toBe(expected === 'success');
		expect(harness.executions.length).toBe(before + executions);
		return res;
	};

	it('valid form notification (Chinese subject, passback_params with & and =): 200 "success", one execution with the parameters less sign, passback_params as an object', async () => {
		const params = notice();
		const body = signed(params);
		expect(body).toContain('passback_params=machine_no%3D10000001%26order_id%3D1234');
		await answers(body, 'success', 1);
		expect(h.executions.at(-1)).toHaveLength(1); // one output
		expect(h.executions.at(-1)![0]).toHaveLength(1); // one item
		const item = items(h).at(-1)!;
		expect(item).toEqual({
			notify_time: '2024-06-11 10:00:05',
			notify_type: 'trade_status_sync',
			notify_id: params.notify_id,
			charset: 'utf-8',
			version: '1.0',
			app_id: APP_ID,
			auth_app_id: APP_ID,
			trade_no: params.trade_no,
			out_trade_no: params.out_trade_no,
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
			passback_params: { machine_no: '10000001', order_id: '1234' },
		});
		expect(item).not.toHaveProperty('sign');
		expect(item).not.toHaveProperty('sign_type');
		expect(item).not.toHaveProperty('provider');
	});

	it('signed with plain crypto, percent-encoded (%20 spaces), TRADE_FINISHED, JSON passback_params: accepted, passback_params left as the string', async () => {
		const passback = '{"machine_no":"10000003","order_id":"77"}';
		const params = notice({ trade_status: 'TRADE_FINISHED', total_amount: '0.01', receipt_amount: '0.01', passback_params: passback });
		await answers(alipaySignedByHand(params, alipayPlatform.privatePem), 'success', 1);
		const item = items(h).at(-1)!;
		expect(item).toEqual(params);
		expect(item.passback_params).toBe(passback);
		expect(item.subject).toBe('可口可乐 330ml 冰镇'); // %20 decoded back to spaces
	});

	it('free-text passback_params: left as the string; percent-encoded query values are decoded', async () => {
		await answers(signed(notice({ passback_params: '售货机 A 货道 1' })), 'success', 1);
		expect(items(h).at(-1)!.passback_params).toBe('售货机 A 货道 1');
		await answers(signed(notice({ passback_params: 'machine_no=10000004&note=%E5%87%BA%E8%B4%A7' })), 'success', 1);
		expect(items(h).at(-1)!.passback_params).toEqual({ machine_no: '10000004', note: '出货' });
	});

	it('no passback_params: none in the item', async () => {
		const { passback_params: _p, ...params } = notice();
		await answers(signed(params), 'success', 1);
		expect(items(h).at(-1)).toEqual(params);
	});

	it('tampered amount: "fail", no execution', async () => {
		const signedParams = signAlipayNotification(notice(), alipayPlatform.privateKey);
		await answers(form({ ...signedParams, total_amount: '0.01' }), 'fail', 0);
		await answers(form({ ...signedParams, subject: '百事可乐' }), 'fail', 0);
		const { sign: _sign, ...unsigned } = signedParams;
		await answers(form(unsigned), 'fail', 0);
	});

	it('signed by a wrong key: "fail"', async () => {
		await answers(form(signAlipayNotification(notice(), stranger.privateKey)), 'fail', 0);
		await answers(alipaySignedByHand(notice(), alipayApp.privatePem), 'fail', 0); // the app's own key is not Alipay's
	});

	it('sign_type other than RSA2: "fail"', async () => {
		await answers(form({ ...signAlipayNotification(notice(), alipayPlatform.privateKey), sign_type: 'RSA' }), 'fail', 0);
	});

	it('TRADE_CLOSED / WAIT_BUYER_PAY: "success", no execution', async () => {
		await answers(signed(notice({ trade_status: 'TRADE_CLOSED' })), 'success', 0);
		await answers(signed(notice({ trade_status: 'WAIT_BUYER_PAY' })), 'success', 0);
	});

	it('a refund notice (TRADE_SUCCESS with refund_fee): "success", no execution', async () => {
		await answers(signed(notice({ refund_fee: '1.00', gmt_refund: '2024-06-11 11:00:00.123', out_biz_no: 'R20240611000001' })), 'success', 0);
		await answers(signed(notice({ refund_fee: '1.00' })), 'success', 0);
	});

	it('replay: the same notification twice starts one execution; a re-push of the same trade_no too', async () => {
		const params = notice();
		const body = signed(params);
		await answers(body, 'success', 1);
		await answers(body, 'success', 0);
		await answers(signed({ ...params, notify_id: `${params.notify_id}-again`, notify_time: '2024-06-11 10:05:05' }), 'success', 0);
	});

	it('app_id of another app: "fail", no execution', async () => {
		await answers(signed(notice({ app_id: '2021000199999999' })), 'fail', 0);
	});

	it('an empty body or a body over 64 KB: "fail", no execution', async () => {
		await answers('', 'fail', 0);
		const big = signed(notice({ body: 'x'.repeat(70 * 1024) }));
		expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
		const res = await answers(big, 'fail', 0);
		expect(res.status).toBe(400);
	});

	it('a credential with an unparsable Alipay public key: 500 "fail", no execution, no key text', async () => {
		const broken = await trigger(alipayCredential({ alipayPublicKey: `${BAD_PUBLIC_KEY_TEXT}!` }));
		const res = await answers(signed(notice()), 'fail', 0, broken);
		expect(res.status).toBe(500);
		const swapped = await trigger(alipayCredential({ alipayPublicKey: pemBody(alipayPlatform.privatePem) }));
		expect((await answers(signed(notice()), 'fail', 0, swapped)).status).toBe(500);
	});

	it('a broken App Private Key does not stop payments coming in (the trigger only verifies)', async () => {
		const h2 = await trigger(alipayCredential({ privateKey: 'not-a-key', gatewayUrl: 'not a url' }));
		const params = notice();
		await answers(signed(params), 'success', 1, h2);
		expect(items(h2).map((item) => item.trade_no)).toEqual([params.trade_no]);
	});

	it('Deduplication Window 0 turns deduplication off: the same notification twice starts two executions', async () => {
		const h0 = await trigger(alipayCredential(), { dedupeWindowMinutes: 0 });
		const body = signed(notice());
		await answers(body, 'success', 1, h0);
		await answers(body, 'success', 1, h0);
	});
});

describe('activation checks the credential', () => {
	const node: INode = { id: 'n1', name: 'Alipay Notification Trigger', type: 'alipayNotificationTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const activate = async (credential: Record<string, string>) =>
		await new AlipayNotificationTrigger().webhookMethods.default.create.call({ getCredentials: async () => credential, getNode: () => node } as never);

	it('a good credential activates; one whose private key is broken too (the trigger does not sign)', async () => {
		await expect(activate(alipayCredential())).resolves.toBe(true);
		await expect(activate(alipayCredential({ privateKey: 'not-a-key' }))).resolves.toBe(true);
	});

	it('a broken Alipay public key or an empty App ID fails activation, naming the field and not its text', async () => {
		await expect(activate(alipayCredential({ alipayPublicKey: BAD_PUBLIC_KEY_TEXT }))).rejects.toThrow(/Credential field "Alipay Public Key"/);
		await expect(activate(alipayCredential({ alipayPublicKey: BAD_PUBLIC_KEY_TEXT }))).rejects.not.toThrow(BAD_PUBLIC_KEY_TEXT);
		await expect(activate(alipayCredential({ alipayPublicKey: alipayApp.privatePem }))).rejects.toThrow(/"Alipay Public Key"/);
		await expect(activate(alipayCredential({ appId: '' }))).rejects.toThrow(/"App ID" is empty/);
	});
});

describe('secrets', () => {
	it('no private key or public key body appears in any answer, item, error or log', () => {
		for (const h of open) for (const e of h.webhookErrors) transcript.push(`${e.message} ${e.stack ?? ''}`);
		for (const h of open) transcript.push(JSON.stringify(h.executions), JSON.stringify(h.staticData));
		transcript.push(...consoleLines);
		const everything = transcript.join('\n');
		expect(transcript.length).toBeGreaterThan(40); // the answers above were all recorded
		expect(everything).toContain('可口可乐'); // the items are in it
		const secrets: Array<[string, string]> = [['bad public key text', BAD_PUBLIC_KEY_TEXT]];
		for (const [name, pair] of [['alipayApp', alipayApp], ['alipayPlatform', alipayPlatform], ['stranger', stranger]] as const) {
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
