import '../../../test/helpers/n8n/env';

import axios from 'axios';
import { createCipheriv, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'crypto';
import type { INode } from 'n8n-workflow';

import { WeChatPayApi } from '../credentials/WeChatPayApi.credentials';
import { WeChatPayNotificationTrigger } from '../nodes/WeChatPayNotificationTrigger/WeChatPayNotificationTrigger.node';
import { encryptResource, signWeChatBody, unixSeconds } from '../nodes/shared/wechatpay/api';
import { startWebhookHarness, type WebhookHarness } from '../../../test/helpers/n8n/webhookRunner';

/**
 * The WeChat Pay Notification Trigger through n8n-core's WebhookContext over real HTTP (test/helpers/n8n/webhookRunner.ts):
 * notifications built with our provider-side helpers, and independently with plain crypto. Its
 * output is the decrypted transaction as WeChat Pay sends it, `attach` parsed when a query string.
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
const BAD_PUBLIC_KEY_TEXT = 'NotAKeyButSecretLookingText0123456789abcdefABCDEF';

let merchant: Pair; // WeChat Pay merchant key
let weChatPlatform: Pair; // WeChat Pay platform (public key mode)
let stranger: Pair;

/** Everything that left the node or the harness, searched for secrets at the end. */
const transcript: string[] = [];
const consoleLines: string[] = [];
const open: WebhookHarness[] = [];

beforeAll(() => {
	merchant = rsaPair();
	weChatPlatform = rsaPair();
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

async function trigger(credential: Record<string, string>, parameters: Record<string, number> = {}): Promise<WebhookHarness> {
	const harness = await startWebhookHarness({
		nodeType: new WeChatPayNotificationTrigger(),
		typeName: 'weChatPayNotificationTrigger',
		credentialTypes: { weChatPayApi: new WeChatPayApi() },
		credentials: { weChatPayApi: credential },
		parameters,
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

let serialNumber = 0;
const transaction = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
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
	beforeAll(async () => (h = await trigger(weChatCredential())));

	const refused = async (n: { body: string; headers: Record<string, string> }, status: number, message: RegExp) => {
		const before = h.executions.length;
		const res = await post(h.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(status);
		expect(res.json).toMatchObject({ code: 'FAIL' });
		expect(String(res.json?.message)).toMatch(message);
		expect(h.executions.length).toBe(before);
		return res;
	};
	const accepted = async (tx: Record<string, unknown>) => {
		const before = h.executions.length;
		const n = weChatNotification(tx);
		const res = await post(h.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(204);
		expect(h.executions.length).toBe(before + 1);
		return items(h).at(-1)!;
	};

	it('valid notification: 204, one execution with the transaction as WeChat Pay sends it, attach "machine_no=…&order_id=…" as an object', async () => {
		const tx = transaction();
		const n = weChatNotification(tx);
		const res = await post(h.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(204);
		expect(res.text).toBe('');
		expect(h.executions).toHaveLength(1);
		expect(h.executions[0]).toHaveLength(1); // one output
		expect(h.executions[0][0]).toHaveLength(1); // one item
		expect(items(h)[0]).toEqual({
			appid: 'wx8888888888888888',
			mchid: MCH_ID,
			out_trade_no: tx.out_trade_no,
			transaction_id: tx.transaction_id,
			trade_type: 'NATIVE',
			trade_state: 'SUCCESS',
			trade_state_desc: '支付成功',
			bank_type: 'OTHERS',
			attach: { machine_no: '10000001', order_id: '1234' },
			success_time: '2024-06-11T10:00:04+08:00',
			payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
			amount: { total: 250, payer_total: 250, currency: 'CNY', payer_currency: 'CNY' },
		});
		expect(items(h)[0]).not.toHaveProperty('provider');
	});

	it('every field of the transaction comes through, also ones this node does not know', async () => {
		const extra = { promotion_detail: [{ coupon_id: '109519', amount: 5, type: 'CASH' }], scene_info: { device_id: '013467007045764' } };
		const tx = transaction({ ...extra, attach: 'machine_no=10000009&order_id=55&note=%E5%87%BA%E8%B4%A7' });
		expect(await accepted(tx)).toEqual({ ...tx, attach: { machine_no: '10000009', order_id: '55', note: '出货' } });
	});

	it('JSON attach: left as the string it is', async () => {
		const attach = JSON.stringify({ machine_no: '10000002', order_id: 98765 });
		const tx = transaction({ attach, amount: { total: 1, payer_total: 1, currency: 'CNY' } });
		const item = await accepted(tx);
		expect(item).toEqual({ ...tx, attach });
		expect(typeof item.attach).toBe('string');
	});

	it('free-text attach (no "="): left as the string it is', async () => {
		const tx = transaction({ attach: '鼎商售货机 A 货道 1' });
		expect((await accepted(tx)).attach).toBe('鼎商售货机 A 货道 1');
	});

	it('no attach at all: no attach in the item', async () => {
		const { attach: _attach, ...tx } = transaction();
		const item = await accepted(tx);
		expect(item).toEqual(tx);
		expect(item).not.toHaveProperty('attach');
	});

	it('a notification signed and encrypted with plain crypto (independent of our helpers) is accepted', async () => {
		const tx = transaction({ attach: '', amount: { total: 12345, payer_total: 12000, currency: 'CNY' } });
		const before = h.executions.length;
		const n = weChatNotificationByHand(tx);
		expect((await post(h.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(h.executions.length).toBe(before + 1);
		const item = items(h).at(-1)!;
		expect(item).toEqual(tx); // attach "" stays ""
		expect(item).toMatchObject({ transaction_id: tx.transaction_id, amount: { total: 12345, payer_total: 12000 }, attach: '' });
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
		const last = items(h).at(-1)!;
		const again = weChatNotification(transaction({ out_trade_no: last.out_trade_no, transaction_id: last.transaction_id }));
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
			expect(res.text).toBe('');
		}
		expect(h.executions.length).toBe(before);
	});

	it('Wechatpay-Serial not the credential\'s Public Key ID: 401', async () => {
		await refused(weChatNotification(transaction(), { serial: 'PUB_KEY_ID_0119000001092099999999999999' }), 401, /Public Key ID/);
	});

	it('a payment of another merchant: 400, no execution', async () => {
		await refused(weChatNotification(transaction({ mchid: '1900000999' })), 400, /merchant/);
	});

	it('a transaction without transaction_id: 400, no execution', async () => {
		const { transaction_id: _id, ...tx } = transaction();
		await refused(weChatNotification(tx), 400, /transaction_id/);
	});

	it('no signature headers, or an empty body: refused', async () => {
		const n = weChatNotification(transaction());
		await refused({ body: n.body, headers: { 'Content-Type': 'application/json' } }, 401, /missing/);
		await refused({ body: '', headers: n.headers }, 400, /empty/);
	});

	it('a body over 64 KB: 400 FAIL "too large", no execution', async () => {
		const n = weChatNotification(transaction({ attach: 'x'.repeat(70 * 1024) }));
		expect(Buffer.byteLength(n.body)).toBeGreaterThan(64 * 1024);
		await refused(n, 400, /too large/);
	});

	it('a credential with an unparsable public key: the answer names the field and holds no key text', async () => {
		const brokenText = `${BAD_PUBLIC_KEY_TEXT}!${pemBody(weChatPlatform.publicPem).slice(60, 140)}`;
		const broken = await trigger(weChatCredential({ publicKey: brokenText }));
		const n = weChatNotification(transaction());
		const res = await post(broken.webhookUrl, n.body, n.headers);
		expect(res.status).toBe(500);
		expect(res.json).toMatchObject({ code: 'FAIL' });
		expect(String(res.json?.message)).toContain('WeChat Pay Public Key');
		expect(res.text).not.toContain(BAD_PUBLIC_KEY_TEXT);
		expect(res.text).not.toContain(pemBody(weChatPlatform.publicPem).slice(60, 140));
		expect(broken.executions).toHaveLength(0);
		// and a private key pasted as the public key is refused the same way
		const swapped = await trigger(weChatCredential({ publicKey: pemBody(weChatPlatform.privatePem) }));
		const res2 = await post(swapped.webhookUrl, n.body, n.headers);
		expect(res2.status).toBe(500);
		expect(String(res2.json?.message)).toContain('WeChat Pay Public Key');
		expect(swapped.executions).toHaveLength(0);
	});

	it('a broken Merchant Private Key does not stop payments coming in (the trigger only verifies and decrypts)', async () => {
		const h2 = await trigger(weChatCredential({ privateKey: 'not-a-key', baseUrl: 'not a url' }));
		const tx = transaction();
		const n = weChatNotification(tx);
		expect((await post(h2.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(h2.executions.map((e) => e[0][0].json.transaction_id)).toEqual([tx.transaction_id]);
	});

	it('Deduplication Window 0 turns deduplication off: the same notification twice starts two executions', async () => {
		const h0 = await trigger(weChatCredential(), { dedupeWindowMinutes: 0 });
		const n = weChatNotification(transaction());
		expect((await post(h0.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect((await post(h0.webhookUrl, n.body, n.headers)).status).toBe(204);
		expect(h0.executions).toHaveLength(2);
	});
});

describe('activation checks the credential', () => {
	const node: INode = { id: 'n1', name: 'WeChat Pay Notification Trigger', type: 'weChatPayNotificationTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const activate = async (credential: Record<string, string>) =>
		await new WeChatPayNotificationTrigger().webhookMethods.default.create.call({ getCredentials: async () => credential, getNode: () => node } as never);

	it('a good credential activates; one whose private key is broken too (the trigger does not sign)', async () => {
		await expect(activate(weChatCredential())).resolves.toBe(true);
		await expect(activate(weChatCredential({ privateKey: 'not-a-key' }))).resolves.toBe(true);
	});

	it('a broken public key, APIv3 key or Merchant ID fails activation, naming the field and not its text', async () => {
		await expect(activate(weChatCredential({ publicKey: BAD_PUBLIC_KEY_TEXT }))).rejects.toThrow(/Credential field "WeChat Pay Public Key"/);
		await expect(activate(weChatCredential({ publicKey: BAD_PUBLIC_KEY_TEXT }))).rejects.not.toThrow(BAD_PUBLIC_KEY_TEXT);
		await expect(activate(weChatCredential({ apiV3Key: 'short' }))).rejects.toThrow(/"APIv3 Key"/);
		await expect(activate(weChatCredential({ mchId: '' }))).rejects.toThrow(/"Merchant ID" is empty/);
		await expect(activate(weChatCredential({ publicKeyId: ' ' }))).rejects.toThrow(/"WeChat Pay Public Key ID" is empty/);
	});
});

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
		for (const [name, pair] of [['merchant', merchant], ['weChatPlatform', weChatPlatform], ['stranger', stranger]] as const) {
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
