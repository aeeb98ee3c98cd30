import '../helpers/n8n/env';

import axios from 'axios';

import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { DingShangDeliveryResultTrigger } from '../../nodes/DingShangDeliveryResultTrigger/DingShangDeliveryResultTrigger.node';
import { rememberedId } from '../../nodes/DingShangDeliveryResultTrigger/normalizeCallback';
import { FAIL_REASONS } from '../../nodes/shared/dingshang/protocol';
import { encodePayload, signParams } from '../../nodes/shared/dingshang/signing';
import { startWebhookHarness, type WebhookHarness } from '../helpers/n8n/webhookRunner';
import { vendingRunner } from '../helpers/vending';
import { SandboxClient, openSandbox, waitFor } from '../helpers/sandboxClient';

/** Real HTTP POSTs into the trigger's webhook, run by n8n-core's WebhookContext (test/helpers/n8n/webhookRunner.ts). */

const TOKEN = 'tok-3f9a1c2b7d';
const SIGN_KEY = 'trigger-sign-key';
const credentials = { dingShangApi: { baseUrl: 'http://127.0.0.1:9', appId: 'ds0123456789abcdef', appSecret: 'x'.repeat(40), signingKey: SIGN_KEY } };

const SUCCESS = { deliver_status: '1', error_msg: '', floor_status: '1', method: 'device.delivery.response', order_id: 60, record_id: 78 };
const FAILURE = { deliver_status: '0', error_msg: 'Goods are Stuck', floor_status: '2', method: 'device.delivery.response', order_id: 61, record_id: 79 };

const open: WebhookHarness[] = [];
async function trigger(parameters: Record<string, unknown> = {}, staticData?: Record<string, unknown>, storageLatencyMs = 0, nodeType: DingShangDeliveryResultTrigger = new DingShangDeliveryResultTrigger()): Promise<WebhookHarness> {
	const harness = await startWebhookHarness({
		staticData: staticData as never,
		storageLatencyMs,
		nodeType,
		typeName: nodeType.description.name,
		credentialTypes: { dingShangApi: new DingShangApi() },
		credentials,
		parameters: { authentication: 'urlToken', secretToken: TOKEN, ...parameters },
	});
	open.push(harness);
	return harness;
}
afterAll(async () => Promise.all(open.map((h) => h.close())));

const post = (url: string, data: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
	axios.post(url, data, { headers, validateStatus: () => true, transformRequest: (d) => (typeof d === 'string' ? d : JSON.stringify(d)) });
const withToken = (h: WebhookHarness, token = TOKEN) => `${h.webhookUrl}?token=${encodeURIComponent(token)}`;
const emitted = (h: WebhookHarness) => h.executions.map((e) => e[0][0].json);

describe('results become one normalized item each', () => {
	let h: WebhookHarness;
	beforeAll(async () => (h = await trigger()));

	it('success: 200 small body, one execution with the normalized item', async () => {
		const res = await post(withToken(h), SUCCESS);
		expect(res.status).toBe(200);
		expect(res.data).toEqual({ received: true });
		expect(emitted(h).at(-1)).toMatchObject({ event: 'delivery.succeeded', outcome: 'dispensed', order_id: 60, record_id: 78, success: true, reason: null, raw: SUCCESS });
	});

	it.each(Object.keys(FAIL_REASONS))('failure class "%s" is explained in English and 中文', async (errorMsg) => {
		const body = { ...FAILURE, error_msg: errorMsg, record_id: 1000 + Object.keys(FAIL_REASONS).indexOf(errorMsg) };
		const count = h.executions.length;
		expect((await post(withToken(h), body)).status).toBe(200);
		expect(h.executions.length).toBe(count + 1);
		const item = emitted(h).at(-1)!;
		expect(item).toMatchObject({ event: 'delivery.failed', outcome: 'failed', success: false, error_msg: errorMsg, floor_status: '2', channelStatus: 'Product stuck in the channel' });
		expect(String(item.reason)).toContain(FAIL_REASONS[errorMsg].en);
		expect(String(item.reasonZh)).toContain(FAIL_REASONS[errorMsg].zh);
	});

	it.each([['0', 'The channel does not exist'], ['3', 'Motor fault'], ['47', 'Serial-port timeout (no answer from the machine board)']])(
		'floor status %s is explained',
		async (floorStatus, text) => {
			await post(withToken(h), { ...FAILURE, error_msg: '', floor_status: floorStatus, record_id: 2000 + Number(floorStatus) });
			expect(emitted(h).at(-1)).toMatchObject({ floor_status: floorStatus, channelStatus: text, reason: text });
		},
	);

	it('timeout push (status IS_TIMEOUT) is delivery.timeout', async () => {
		await post(withToken(h), { method: 'device.delivery.response', order_id: 62, record_id: 80, deliver_status: '0', error_msg: 'timeout', status: 'IS_TIMEOUT' });
		expect(emitted(h).at(-1)).toMatchObject({ event: 'delivery.timeout', outcome: 'timeout', success: false, reason: expect.stringMatching(/120 seconds/) });
	});

	it('unknown push (order expired) is emitted as "other", missing fields do not crash', async () => {
		const expiry = { method: 'order.expired', order_id: 63, trade_id: 'T-1', status: 'CLOSED', brand_new_field: [1, 2] };
		await post(withToken(h), expiry);
		expect(emitted(h).at(-1)).toMatchObject({ event: 'other', outcome: 'other', order_id: 63, record_id: null, raw: expiry });
	});

	it('form-encoded bodies are accepted', async () => {
		const form = new URLSearchParams({ ...SUCCESS, order_id: '64', record_id: '81' } as Record<string, string>).toString();
		const res = await post(withToken(h), form, { 'Content-Type': 'application/x-www-form-urlencoded' });
		expect(res.status).toBe(200);
		expect(emitted(h).at(-1)).toMatchObject({ event: 'delivery.succeeded', order_id: 64, record_id: 81 });
	});
});

describe('deduplication (node static data)', () => {
	it('the same result within the window starts one execution; after the window, another', async () => {
		const h = await trigger({ dedupeWindowMinutes: 0.01 }); // 0.6 s
		expect((await post(withToken(h), FAILURE)).data).toEqual({ received: true });
		const dup = await post(withToken(h), FAILURE);
		expect(dup.status).toBe(200);
		expect(dup.data).toEqual({ received: true, duplicate: true });
		expect(h.executions).toHaveLength(1);
		expect((await post(withToken(h), { ...FAILURE, deliver_status: '1' })).data).toEqual({ received: true }); // other status: not a duplicate
		expect(h.executions).toHaveLength(2);
		await new Promise((resolve) => setTimeout(resolve, 700));
		await post(withToken(h), FAILURE);
		expect(h.executions).toHaveLength(3);
		expect(Object.keys(h.staticData)).toContain('node:Trigger');
	});

	it('remembers at most 2000 results, forgetting the oldest first', async () => {
		const now = Date.now();
		const lines: string[] = [];
		for (let i = 0; i < 2000; i++) lines.push(`${(now - 60_000 + i).toString(36)} ${rememberedId(`device.delivery.response|1|${i}|0|`)}`);
		const seenResults = lines.join('\n');
		const h = await trigger({}, { 'node:Trigger': { seenResults } });
		await post(withToken(h), { ...FAILURE, order_id: 1, record_id: 1 }); // remembered: a duplicate
		expect(h.executions).toHaveLength(0);
		await post(withToken(h), { ...FAILURE, order_id: 2, record_id: 1 });
		expect(h.executions).toHaveLength(1);
		const kept = String((h.staticData['node:Trigger'] as { seenResults: string }).seenResults).split('\n');
		expect(kept).toHaveLength(2000);
		expect(kept[0].split(' ')[1]).toBe(rememberedId('device.delivery.response|1|1|0|')); // the oldest (record 0) went
		expect(kept[1999].split(' ')[1]).toBe(rememberedId('device.delivery.response|2|1|0|'));
		expect(kept[1999]).toMatch(/^[0-9a-z]+ [A-Za-z0-9_-]{12}$/); // compact: ≈ 21 bytes per result
		expect(parseInt(kept[1999], 36)).toBeGreaterThanOrEqual(now);
	});

	it('every accepted result is in static data when it is answered; one that another process\'s save dropped is written back and stays a duplicate', async () => {
		const h = await trigger();
		const node = () => h.staticData['node:Trigger'] as { seenResults?: string };
		const saved = () => String(node()?.seenResults ?? '').split('\n').filter(Boolean);
		const idOf = (orderId: number) => rememberedId(`device.delivery.response|${orderId}|1|1|`);
		for (let i = 0; i < 5; i++) {
			await post(withToken(h), { ...SUCCESS, order_id: 7000 + i, record_id: 1 });
			expect(saved().map((line) => line.split(' ')[1])).toContain(idOf(7000 + i)); // no batching
		}
		expect(h.executions).toHaveLength(5);

		// Queue mode: another webhook process saved its own view over ours (n8n overwrites the whole value).
		const foreign = `${Date.now().toString(36)} ${rememberedId('device.delivery.response|9999|1|1|')}`;
		node().seenResults = foreign;
		expect((await post(withToken(h), { ...SUCCESS, order_id: 7003, record_id: 1 })).data).toEqual({ received: true, duplicate: true });
		expect((await post(withToken(h), { ...SUCCESS, order_id: 7005, record_id: 1 })).data).toEqual({ received: true });
		expect(h.executions).toHaveLength(6);
		const ids = saved().map((line) => line.split(' ')[1]);
		for (let i = 0; i < 6; i++) expect(ids).toContain(idOf(7000 + i));
		expect(saved()).toContain(foreign); // the other process's result is kept too
		const times = saved().map((line) => parseInt(line, 36));
		expect([...times].sort((a, b) => a - b)).toEqual(times); // oldest first
	});

	it('window 0 turns deduplication off', async () => {
		const h = await trigger({ dedupeWindowMinutes: 0 });
		await post(withToken(h), SUCCESS);
		await post(withToken(h), SUCCESS);
		expect(h.executions).toHaveLength(2);
	});
});

describe('security: rejections answer 401/403 and start nothing', () => {
	it('missing or wrong token → 401', async () => {
		const h = await trigger();
		expect((await post(h.webhookUrl, SUCCESS)).status).toBe(401);
		expect((await post(withToken(h, 'guess'), SUCCESS)).status).toBe(401);
		expect((await post(withToken(h, `${TOKEN}x`), SUCCESS)).status).toBe(401);
		expect(h.executions).toHaveLength(0);
	});

	it('authentication "none" accepts callbacks without a token', async () => {
		const h = await trigger({ authentication: 'none' });
		expect((await post(h.webhookUrl, SUCCESS)).status).toBe(200);
		expect(h.executions).toHaveLength(1);
	});

	it('IP not in the allowlist → 403; allowed IP → accepted; bad allowlist → 500, nothing started', async () => {
		const denied = await trigger({ ipAllowlist: '203.0.113.10, 10.0.0.0/8' });
		expect((await post(withToken(denied), SUCCESS)).status).toBe(403);
		expect(denied.executions).toHaveLength(0);
		const allowed = await trigger({ ipAllowlist: '203.0.113.10, 127.0.0.0/8' });
		expect((await post(withToken(allowed), SUCCESS)).status).toBe(200);
		expect(allowed.executions).toHaveLength(1);
		const broken = await trigger({ ipAllowlist: 'localhost' });
		const res = await post(withToken(broken), SUCCESS);
		expect(res.status).toBe(500);
		expect(res.data.error).toMatch(/IP Allowlist entry "localhost"/);
		expect(broken.executions).toHaveLength(0);
	});

	it('signature: a valid sign passes, a bad one is refused, an absent one only when required', async () => {
		const signedBody = { ...SUCCESS, timestamp: '1714128358', sign: signParams({ ...SUCCESS, timestamp: '1714128358' }, SIGN_KEY) };
		const optional = await trigger({ requireSignature: false });
		expect((await post(withToken(optional), signedBody)).status).toBe(200);
		expect(emitted(optional).at(-1)).toMatchObject({ signatureVerified: true, event: 'delivery.succeeded' });
		expect((await post(withToken(optional), { ...signedBody, deliver_status: '0', record_id: 99 })).status).toBe(401);
		expect((await post(withToken(optional), { ...FAILURE })).status).toBe(200); // absent sign, not required
		expect(optional.executions).toHaveLength(2);

		const required = await trigger({ requireSignature: true });
		expect((await post(withToken(required), FAILURE)).status).toBe(401);
		expect((await post(withToken(required), { ...signedBody, sign: '0'.repeat(32) })).status).toBe(401);
		expect((await post(withToken(required), signedBody)).status).toBe(200);
		expect(required.executions).toHaveLength(1);
	});

	it('a {payload: base64} body is decoded and verified', async () => {
		const h = await trigger({ requireSignature: true });
		expect((await post(withToken(h), { payload: encodePayload(FAILURE, SIGN_KEY) })).status).toBe(200);
		expect(emitted(h).at(-1)).toMatchObject({ event: 'delivery.failed', order_id: 61, signatureVerified: true });
		expect((await post(withToken(h), { payload: encodePayload(FAILURE, 'wrong-key') })).status).toBe(401);
		expect((await post(withToken(h), { payload: '%%%not-base64' })).status).toBe(400);
		expect(h.executions).toHaveLength(1);
	});

	it('Verify Signature accepts either canonical form (plain, go), as the platform\'s own signers disagree; a wrong key in either form is refused', async () => {
		const h = await trigger({ requireSignature: true });
		// "Goods are Stuck" has spaces, so the two forms sign FAILURE differently.
		expect(signParams(FAILURE, SIGN_KEY, 'plain')).not.toBe(signParams(FAILURE, SIGN_KEY, 'go'));
		for (const [recordId, style] of [[81, 'plain'], [82, 'go']] as const) {
			const body = { ...FAILURE, record_id: recordId };
			expect((await post(withToken(h), { ...body, sign: signParams(body, SIGN_KEY, style) })).status).toBe(200);
			expect((await post(withToken(h), { payload: encodePayload({ ...body, record_id: recordId + 10 }, SIGN_KEY, { style }) })).status).toBe(200);
			expect((await post(withToken(h), { ...body, sign: signParams(body, 'wrong-key', style) })).status).toBe(401);
		}
		expect(emitted(h).map((item) => item.record_id)).toEqual([81, 91, 82, 92]);
		expect(emitted(h).every((item) => item.signatureVerified === true)).toBe(true);
	});
});

describe('malformed bodies: 4xx, no execution', () => {
	let h: WebhookHarness;
	beforeAll(async () => (h = await trigger()));
	afterEach(() => expect(h.executions).toHaveLength(0));

	it('invalid JSON is refused (by n8n itself: 422 "Failed to parse request body")', async () => {
		const res = await post(withToken(h), '{"order_id": 60,');
		expect(res.status).toBe(422);
	});

	it.each([
		['JSON array', '[1,2,3]', 'application/json', 400],
		['JSON string', '"hello"', 'application/json', 400],
		['empty body', '', 'application/json', 400],
		['text/plain', JSON.stringify(SUCCESS), 'text/plain', 415],
		['XML', '<a>1</a>', 'application/xml', 415],
		['octet-stream', 'binary', 'application/octet-stream', 415],
		['huge JSON (200 KB)', JSON.stringify({ ...SUCCESS, padding: 'x'.repeat(200_000) }), 'application/json', 413],
		// A delivery result must name a real order and record: never a dispense result with a null or negative id.
		['order_id "1; DROP TABLE"', JSON.stringify({ ...FAILURE, order_id: '1; DROP TABLE' }), 'application/json', 400],
		['record_id -1', JSON.stringify({ ...FAILURE, record_id: -1 }), 'application/json', 400],
		['order_id 1e309', '{"deliver_status":"0","method":"device.delivery.response","order_id":1e309,"record_id":79}', 'application/json', 400],
		['record_id 1.5', JSON.stringify({ ...FAILURE, record_id: 1.5 }), 'application/json', 400],
		['record_id missing', JSON.stringify({ ...FAILURE, record_id: undefined }), 'application/json', 400],
		['order_id 0', JSON.stringify({ ...FAILURE, order_id: '0' }), 'application/json', 400],
	])('%s → %s', async (_name, body, contentType, status) => {
		const res = await post(withToken(h), body, { 'Content-Type': contentType });
		expect(res.status).toBe(status);
		expect(res.data).toMatchObject({ received: false });
	});
});

describe('events filter', () => {
	it('"failed" emits failures and timeouts only; others are answered and ignored', async () => {
		const h = await trigger({ events: 'failed' });
		const ignored = await post(withToken(h), SUCCESS);
		expect(ignored.data).toEqual({ received: true, emitted: false });
		await post(withToken(h), FAILURE);
		await post(withToken(h), { ...FAILURE, record_id: 5, status: 'IS_TIMEOUT', error_msg: 'timeout' });
		expect(emitted(h).map((i) => i.event)).toEqual(['delivery.failed', 'delivery.timeout']);
	});

	it('"succeeded" emits successes only', async () => {
		const h = await trigger({ events: 'succeeded' });
		await post(withToken(h), FAILURE);
		await post(withToken(h), { method: 'order.expired', order_id: 1 });
		await post(withToken(h), SUCCESS);
		expect(emitted(h).map((i) => i.event)).toEqual(['delivery.succeeded']);
	});
});

describe('end to end with the sandbox: create (notify_url = trigger) → pay → dispense → result', () => {
	let client: SandboxClient;
	beforeAll(async () => (client = await openSandbox({ timeScale: 0.01 })));
	afterAll(async () => client.sb.close());

	it('success and an injected stuck product each reach the workflow once; a duplicated push is deduplicated', async () => {
		const h = await trigger();
		const run = vendingRunner(client);
		const created = await run({
			resource: 'order',
			operation: 'create',
			machineNo: '10000002',
			notifyUrl: withToken(h),
			products: { product: [{ productId: '101', quantity: 1 }, { productId: '102', quantity: 1 }] },
		});
		const orderId = String(created.items[0].json.order_id);
		await run({ resource: 'order', operation: 'update', machineNo: '10000002', orderId, status: 1 });
		await client.fault({ kind: 'deliveryFail', machineNo: '10000002', floorStatus: '2', errorMsg: 'Goods are Stuck' });
		await client.fault({ kind: 'callbackDuplicate', count: 2 });
		const put = await run({ resource: 'delivery', operation: 'put', machineNo: '10000002', orderId, dispense: 'allPending', waitForResult: true });
		expect(put.outputs.map((output) => output.map((i) => i.json.outcome))).toEqual([['dispensed'], ['failed']]);

		await waitFor(async () => h.executions.length >= 2, 5000);
		await waitFor(async () => (await client.state()).callbacks.filter((c: { delivered: boolean }) => c.delivered).length >= 4, 5000);
		const items = emitted(h);
		expect(items).toHaveLength(2);
		expect(items.map((i) => i.event)).toEqual(['delivery.failed', 'delivery.succeeded']);
		expect(items[0]).toMatchObject({ order_id: Number(orderId), floor_status: '2', error_msg: 'Goods are Stuck', reasonZh: expect.stringContaining('卡货') });
		// One vocabulary: the trigger's item and Put Delivery's failed item agree on names and values.
		const failedPut = put.outputs[1][0].json;
		for (const key of ['order_id', 'record_id', 'outcome'] as const) expect(items[0][key]).toEqual(failedPut[key]);
		expect(items[0].machine_no).toBe('10000002');
		// Create Order added the machine to the Notify URL; the trigger hands it on (the token never).
		expect(created.items[0].json.notify_url).toBe(`${h.webhookUrl}?token=***&machine_no=10000002`);
		for (const item of items) expect(item).toMatchObject({ machine_no: '10000002', query: { machine_no: '10000002' } });
	});

	it('with "Add Machine No to Notify URL" off, the Notify URL is sent as given', async () => {
		const created = await vendingRunner(client)({
			resource: 'order',
			operation: 'create',
			machineNo: '10000002',
			notifyUrl: 'http://127.0.0.1:9/hook?token=t',
			addMachineNo: false,
			products: { product: [{ productId: '101', quantity: 1 }] },
		});
		const { orders } = await client.state();
		expect(orders.find((o: { order_id: number }) => o.order_id === created.items[0].json.order_id).notify_url).toBe('http://127.0.0.1:9/hook?token=t');
	});
});

describe('duplicates arriving at the same moment', () => {
	it('20 simultaneous copies of one result start exactly one execution', async () => {
		// 20 ms of simulated database latency: every copy reads static data before any is saved.
		const h = await trigger({}, undefined, 20);
		const answers = await Promise.all(Array.from({ length: 20 }, () => post(withToken(h), FAILURE)));
		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect(answers.filter((a) => a.data.duplicate === true)).toHaveLength(19);
		expect(h.executions).toHaveLength(1);
	});

	it('a version-1 trigger (saved workflows) keeps its field names', async () => {
		const h = await startWebhookHarness({
			nodeType: new DingShangDeliveryResultTrigger(),
			typeName: 'dingShangDeliveryResultTrigger',
			typeVersion: 1,
			credentialTypes: { dingShangApi: new DingShangApi() },
			credentials,
			parameters: { authentication: 'urlToken', secretToken: TOKEN },
		});
		open.push(h);
		await post(`${withToken(h)}&machine_no=10000002`, FAILURE);
		expect(emitted(h)[0]).toMatchObject({ event: 'delivery.failed', orderId: 61, recordId: 79, errorMsg: 'Goods are Stuck', floorStatus: '2', floorStatusText: 'Product stuck in the channel', query: { machine_no: '10000002' } });
		expect(emitted(h)[0]).not.toHaveProperty('order_id');
	});

	it('query parameters of the Notify URL (other than the token) are passed through', async () => {
		const h = await trigger();
		await post(`${withToken(h)}&machine_no=10000002&shop=north`, SUCCESS);
		expect(emitted(h)[0].query).toEqual({ machine_no: '10000002', shop: 'north' });
	});
});
