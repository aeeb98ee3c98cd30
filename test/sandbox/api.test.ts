import axios from 'axios';
import os from 'os';
import { API_PREFIX } from '../../nodes/shared/dingshang/protocol';
import { isLoopback } from '../../sandbox/httpServer';
import { openSandbox, nowSeconds, tradeId, type Json, type SandboxClient } from '../helpers/sandboxClient';

// Seed 000 (update order page): the vendor's own example request, signed with key "kva".
const SEED_000_PAYLOAD =
	'eyJtYWNoaW5lX25vIjoiMTYzMjcxMjkiLCJzaWduIjoiOUM4NEZEMUNFMkM3Njg0OUU3Nzc4QUNGMkM1MEZGRjAiLCJzdGF0dXMiOjIsInRpbWVzdGFtcCI6IjE3MTQxMjgzNTgifQ==';

let c: SandboxClient;
beforeAll(async () => {
	c = await openSandbox();
});
afterAll(() => c.sb.close());

const post = (path: string, data?: unknown, headers?: Record<string, string>) =>
	c.http.post(API_PREFIX + path, data, headers ? { headers } : undefined);

describe('headers and ping', () => {
	it('answers pong with valid headers', async () => {
		const res = await post('/ping');
		expect(res.status).toBe(200);
		expect(res.data).toEqual({ code: 0, message: 'ok', data: 'pong' });
	});

	it('accepts header names in any case', async () => {
		const res = await axios.post(`${c.sb.baseUrl}${API_PREFIX}/ping`, undefined, {
			headers: { APPID: c.sb.appId, appsecret: c.sb.appSecret },
			validateStatus: () => true,
		});
		expect(res.data.code).toBe(0);
	});

	it.each([
		['no headers', {}, 10008, 'appid or appsecret is empty'],
		['no secret', { Appid: 'ds0123456789abcdef' }, 10008, 'appid or appsecret is empty'],
		['no appid', { AppSecret: 'x' }, 10008, 'appid or appsecret is empty'],
		['unknown appid', { Appid: 'ds0000000000000000', AppSecret: 'x' }, 10014, 'appid is invalid'],
		['wrong secret', { Appid: 'ds0123456789abcdef', AppSecret: 'f'.repeat(40) }, 4009, 'app secret is invalid'],
	])('%s → HTTP 401', async (_name, headers, code, message) => {
		const res = await axios.post(`${c.sb.baseUrl}${API_PREFIX}/ping`, undefined, { headers, validateStatus: () => true });
		expect(res.status).toBe(401);
		expect(res.data).toEqual({ code, message, data: {} });
	});

	it('answers unknown routes and wrong methods with a 404 envelope', async () => {
		const unknown = await post('/nothing-here');
		expect(unknown.status).toBe(404);
		expect(unknown.data.code).toBe(404);
		const wrongMethod = await c.http.get(`${API_PREFIX}/ping`);
		expect(wrongMethod.status).toBe(404);
		expect(wrongMethod.data.code).toBe(404);
	});
});

describe('create order', () => {
	it('creates an order, takes stock, and get order shows it protobuf-style', async () => {
		const before = await c.stock('10000002', 102);
		const trade = tradeId();
		const res = await c.createOrder({
			machine_no: '10000002',
			trade_id: trade,
			products: [
				{ product_id: 102, quantity: 2 },
				{ product_id: 103, quantity: 1 },
			],
		});
		expect(res.data.code).toBe(0);
		const orderId = res.data.data.order_id;
		expect(Number.isInteger(orderId)).toBe(true);
		expect(await c.stock('10000002', 102)).toBe(before - 2);

		const got = await c.signed('POST', `/orders/${orderId}`, { machine_no: '10000002' });
		expect(got.data.code).toBe(0);
		const order = got.data.data;
		expect(order).toMatchObject({ order_id: orderId, trade_id: trade, amount: '11.50', status: 'NOTPAY' });
		expect(order.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(order.records).toHaveLength(2);
		expect(order.records[0]).toEqual({ id: expect.any(Number), product_id: 102, quantity: 2, price: '6.00', status: 'WAITING_PICKED_UP' });
		expect(order.records[1].id).toBe(order.records[0].id + 1);
		// protobuf style: no empty / zero / false fields anywhere
		expect(JSON.stringify(got.data.data)).not.toMatch(/:(""|0|false|null)[,}]/);
	});

	it.each([
		['missing machine_no', { trade_id: 'a'.repeat(24), products: [{ product_id: 101, quantity: 1 }] }, 'machine_no'],
		['short machine_no', { machine_no: '1000001', trade_id: 'a'.repeat(24), products: [{ product_id: 101, quantity: 1 }] }, 'machine_no'],
		['missing trade_id', { machine_no: '10000001', products: [{ product_id: 101, quantity: 1 }] }, 'trade_id'],
		['trade_id with a space', { machine_no: '10000001', trade_id: 'a b', products: [{ product_id: 101, quantity: 1 }] }, 'trade_id'],
		['trade_id in 中文', { machine_no: '10000001', trade_id: '订单123', products: [{ product_id: 101, quantity: 1 }] }, 'trade_id'],
		['trade_id too long', { machine_no: '10000001', trade_id: 'a'.repeat(33), products: [{ product_id: 101, quantity: 1 }] }, 'trade_id'],
		['no products', { machine_no: '10000001', trade_id: 'b'.repeat(24), products: [] }, 'products'],
		['zero quantity', { machine_no: '10000001', trade_id: 'c'.repeat(24), products: [{ product_id: 101, quantity: 0 }] }, 'quantity'],
		['bad notify_url', { machine_no: '10000001', trade_id: 'd'.repeat(24), notify_url: 'ftp://x', products: [{ product_id: 101, quantity: 1 }] }, 'notify_url'],
	])('%s → 4003', async (_name, body, word) => {
		const res = await c.createOrder(body);
		expect(res.data.code).toBe(4003);
		expect(res.data.message).toContain(word);
	});

	it('accepts trade ids of exactly 20 and 32 characters', async () => {
		for (const length of [20, 32]) {
			const res = await c.createOrder({ machine_no: '10000001', trade_id: tradeId().slice(0, 20).padEnd(length, 'z'), products: [{ product_id: 101, quantity: 1 }] });
			expect(res.data.code).toBe(0);
		}
	});

	it('refuses a repeated trade_id with 6040', async () => {
		const trade = tradeId();
		const body = { machine_no: '10000001', trade_id: trade, products: [{ product_id: 101, quantity: 1 }] };
		expect((await c.createOrder(body)).data.code).toBe(0);
		expect((await c.createOrder(body)).data).toMatchObject({ code: 6040 });
	});

	it('refuses unknown products (6045) and missing stock (6047) without taking any stock', async () => {
		const stock101 = await c.stock('10000004', 101);
		const unknown = await c.createOrder({ machine_no: '10000004', trade_id: tradeId(), products: [{ product_id: 101, quantity: 1 }, { product_id: 999, quantity: 1 }] });
		expect(unknown.data.code).toBe(6045);
		const tooMany = await c.createOrder({ machine_no: '10000004', trade_id: tradeId(), products: [{ product_id: 101, quantity: 1 }, { product_id: 102, quantity: 101 }] });
		expect(tooMany.data.code).toBe(6047);
		// the same product on two lines adds up
		const split = await c.createOrder({ machine_no: '10000004', trade_id: tradeId(), products: [{ product_id: 101, quantity: stock101 }, { product_id: 101, quantity: 1 }] });
		expect(split.data.code).toBe(6047);
		expect(await c.stock('10000004', 101)).toBe(stock101);
	});

	it('refuses unknown (6026) and offline (4008) machines', async () => {
		const products = [{ product_id: 101, quantity: 1 }];
		expect((await c.createOrder({ machine_no: '12345678', trade_id: tradeId(), products })).data.code).toBe(6026);
		expect((await c.createOrder({ machine_no: '10000009', trade_id: tradeId(), products })).data).toMatchObject({ code: 4008, message: 'machine offline' });
	});
});

describe('signed payload checks', () => {
	const raw = (data: unknown, headers?: Record<string, string>) => post('/orders/1', data, headers);

	it.each([
		['body not JSON', 'not json at all', 'JSON'],
		['body a JSON array', '[1,2]', 'object'],
		['no payload', {}, 'payload'],
		['payload not base64', { payload: '***not base64***' }, 'base64'],
		['payload base64 of text', { payload: Buffer.from('hello').toString('base64') }, 'JSON'],
		['payload base64 of an array', { payload: Buffer.from('[1]').toString('base64') }, 'object'],
	])('%s → 4003', async (_name, body, word) => {
		const res = await raw(body, typeof body === 'string' ? { 'Content-Type': 'application/json' } : undefined);
		expect(res.status).toBe(200);
		expect(res.data.code).toBe(4003);
		expect(res.data.message).toContain(word);
	});

	it('refuses a payload signed with another key, or unsigned, with 4006', async () => {
		const wrong = await c.signed('POST', '/orders/1', { machine_no: '10000001' }, 'not-the-key');
		expect(wrong.data).toEqual({ code: 4006, message: 'sorry, payload sign invalid', data: {} });
		const unsigned = Buffer.from(JSON.stringify({ machine_no: '10000001', timestamp: nowSeconds() })).toString('base64');
		expect((await raw({ payload: unsigned })).data.code).toBe(4006);
	});

	it('checks machine_no after the sign: missing, under 8 digits or not digits → 4003; longer numbers are machines', async () => {
		const missing = await c.signed('POST', '/orders/1', { status: '1' });
		expect(missing.data.code).toBe(4003);
		expect(missing.data.message).toMatch(/^invalid params: machine_no/);
		for (const bad of ['1234567', '1000000a', '1000 0001']) {
			const res = await c.signed('POST', '/orders/1', { machine_no: bad });
			expect(res.data.code).toBe(4003);
			expect(res.data.message).toMatch(/^invalid params: machine_no/);
		}
		// 9 and 14 digits are well-formed numbers of machines this merchant does not have: 6026, not 4003.
		for (const unknown of ['123456789', '12345678901234']) expect((await c.signed('POST', '/orders/1', { machine_no: unknown })).data.code).toBe(6026);
	});

	it('answers 6026 for an unknown machine and 4008 for an offline one', async () => {
		expect((await c.signed('POST', '/orders/1', { machine_no: '87654321' })).data).toMatchObject({ code: 6026, message: 'machine not found' });
		expect((await c.signed('POST', '/orders/1', { machine_no: '10000009' })).data).toMatchObject({ code: 4008 });
	});

	it('accepts the seed 000 payload when the sign key is "kva" (then 6026: its machine is not seeded)', async () => {
		const kva = await openSandbox({ signKey: 'kva' });
		try {
			const res = await kva.http.put(`${API_PREFIX}/orders/60`, { payload: SEED_000_PAYLOAD });
			expect(res.data).toEqual({ code: 6026, message: 'machine not found', data: {} });
		} finally {
			await kva.sb.close();
		}
		// The same bytes fail the sign check under the default key: the check is real.
		const res = await c.http.put(`${API_PREFIX}/orders/60`, { payload: SEED_000_PAYLOAD });
		expect(res.data.code).toBe(4006);
	});
});

describe('get and update order', () => {
	it('answers 4004 for unknown orders and orders of another machine, 4003 for a bad id', async () => {
		const { orderId } = await c.order('10000001');
		expect((await c.signed('POST', `/orders/${orderId}`, { machine_no: '10000002' })).data).toMatchObject({ code: 4004, message: 'record not found' });
		expect((await c.signed('POST', '/orders/999999', { machine_no: '10000001' })).data.code).toBe(4004);
		expect((await c.signed('POST', '/orders/abc', { machine_no: '10000001' })).data.code).toBe(4003);
		expect((await c.setStatus('10000002', orderId, 1)).data.code).toBe(4004);
	});

	it('pays an order (data ""), then refuses paying twice with 6049', async () => {
		const { orderId } = await c.order('10000001');
		const paid = await c.setStatus('10000001', orderId, 1);
		expect(paid.data).toEqual({ code: 0, message: 'ok', data: '' });
		expect((await c.signed('POST', `/orders/${orderId}`, { machine_no: '10000001' })).data.data.status).toBe('SUCCESS');
		expect((await c.setStatus('10000001', orderId, '1')).data).toMatchObject({ code: 6049, message: 'order paid' });
	});

	it.each([['0'], ['7'], ['abc'], ['1.5'], [-1]])('status %p → 6043', async (status) => {
		const { orderId } = await c.order('10000001');
		expect((await c.setStatus('10000001', orderId, status)).data).toMatchObject({ code: 6043, message: 'order status invalid' });
	});

	it('accepts a numeric status and refuses a missing one with 4003', async () => {
		const { orderId } = await c.order('10000001');
		expect((await c.signed('PUT', `/orders/${orderId}`, { machine_no: '10000001' })).data.code).toBe(4003);
		expect((await c.signed('PUT', `/orders/${orderId}`, { machine_no: '10000001', status: 1 })).data.code).toBe(0);
	});

	it('maps statuses 2–6 and returns stock once; paying a closed order is 6043', async () => {
		const start = await c.stock('10000003', 103);
		const { orderId } = await c.order('10000003', [{ product_id: 103, quantity: 4 }]);
		expect(await c.stock('10000003', 103)).toBe(start - 4);
		expect((await c.setStatus('10000003', orderId, 3)).data.code).toBe(0);
		expect(await c.stock('10000003', 103)).toBe(start);
		expect((await c.setStatus('10000003', orderId, 2)).data.code).toBe(0);
		expect(await c.stock('10000003', 103)).toBe(start); // not twice
		const got = await c.signed('POST', `/orders/${orderId}`, { machine_no: '10000003' });
		expect(got.data.data.status).toBe('REFUND');
		expect((await c.setStatus('10000003', orderId, 1)).data.code).toBe(6043);
		for (const [status, name] of [[4, 'REVOKED'], [6, 'PAYERROR']] as const) {
			expect((await c.setStatus('10000003', orderId, status)).data.code).toBe(0);
			expect((await c.signed('POST', `/orders/${orderId}`, { machine_no: '10000003' })).data.data.status).toBe(name);
		}
	});

	it('user paying (5) returns stock, and paying afterwards takes it again', async () => {
		const start = await c.stock('10000003', 101);
		const { orderId } = await c.order('10000003', [{ product_id: 101, quantity: 2 }]);
		expect((await c.setStatus('10000003', orderId, 5)).data.code).toBe(0);
		expect(await c.stock('10000003', 101)).toBe(start);
		expect((await c.setStatus('10000003', orderId, 1)).data.code).toBe(0);
		expect(await c.stock('10000003', 101)).toBe(start - 2);
		expect((await c.setStatus('10000003', orderId, 5)).data.code).toBe(6043);
	});
});

describe('timestamp skew (opt-in)', () => {
	it('refuses timestamps too far from now only when maxSkewSeconds is set', async () => {
		const strict = await openSandbox({ timeScale: 1, maxSkewSeconds: 300 });
		try {
			const old = String(Math.floor(Date.now() / 1000) - 3600);
			const refused = await strict.signed('POST', '/orders/1', { machine_no: '10000001', timestamp: old });
			expect(refused.data.code).toBe(4003);
			expect(refused.data.message).toContain('timestamp');
			const fresh = await strict.signed('POST', '/orders/1', { machine_no: '10000001', timestamp: nowSeconds() });
			expect(fresh.data.code).toBe(4004);
		} finally {
			await strict.sb.close();
		}
		const lax = await c.signed('POST', '/orders/1', { machine_no: '10000001', timestamp: '1714128358' });
		expect(lax.data.code).toBe(4004);
	});
});

describe('garbage never crashes the server', () => {
	const deliveries = (data: unknown, headers: Record<string, string> = {}) =>
		c.http.post(`${API_PREFIX}/deliveries`, data, { headers: { ...headers }, transformRequest: [(d) => d] });

	it.each([
		['empty body', '', {}],
		['invalid JSON', '{"payload":', { 'Content-Type': 'application/json' }],
		['text/plain garbage', '\u0000\u0001garbage', { 'Content-Type': 'text/plain' }],
		['form-encoded', 'payload=abc', { 'Content-Type': 'application/x-www-form-urlencoded' }],
		['JSON null', 'null', { 'Content-Type': 'application/json' }],
		['payload number', '{"payload":12}', { 'Content-Type': 'application/json' }],
	])('%s → 4003 envelope', async (_name, body, headers) => {
		const res = await deliveries(body, headers);
		expect(res.headers['content-type']).toContain('application/json');
		expect(res.data.code).toBe(4003);
	});

	it('refuses a body over 1 MB with 4003 "body too large", then still serves', async () => {
		const big = JSON.stringify({ payload: 'A'.repeat(2 * 1024 * 1024) });
		const res = await deliveries(big, { 'Content-Type': 'application/json' });
		expect(res.data.code).toBe(4003);
		expect(res.data.message).toContain('body too large');
		expect((await post('/ping')).data.data).toBe('pong');
	});

	it('survives a malformed URL escape and a signed payload with odd values', async () => {
		const odd = await c.signed('POST', '/orders/%E0%A4%A', { machine_no: '10000001' });
		expect(odd.data.code).toBe(4003);
		const nested = await c.signed('POST', '/deliveries', { machine_no: '10000001', method: 'device.delivery.put', order_id: { a: 1 }, record_id: [1] });
		expect(nested.data.code).toBe(4003);
		expect((await post('/ping')).data.data).toBe('pong');
	});
});

describe('admin routes', () => {
	it('recognise loopback addresses only', () => {
		expect(isLoopback('127.0.0.1')).toBe(true);
		expect(isLoopback('::1')).toBe(true);
		expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
		expect(isLoopback('192.168.1.5')).toBe(false);
		expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
		expect(isLoopback(undefined)).toBe(false);
	});

	it('refuse a non-loopback client when reachable on another interface', async () => {
		const external = Object.values(os.networkInterfaces())
			.flat()
			.find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
		if (!external) return; // no non-loopback interface here: the unit test above covers the rule
		const open = await openSandbox({ host: '0.0.0.0' });
		try {
			const port = new URL(open.sb.baseUrl).port;
			const res = await axios.get(`http://${external}:${port}/__sandbox/state`, { validateStatus: () => true });
			expect(res.status).toBe(403);
			expect((await open.http.get('/__sandbox/state')).status).toBe(200);
		} finally {
			await open.sb.close();
		}
	});

	it('counts API requests by route and resets to the seed', async () => {
		const sb = await openSandbox();
		try {
			await sb.http.post(`${API_PREFIX}/ping`);
			await sb.order('10000001', [{ product_id: 101, quantity: 5 }]);
			await sb.fault({ kind: 'http500', match: { path: '/never' } });
			let state: Json = await sb.state();
			expect(state.requests).toMatchObject({ 'POST /ping': 1, 'POST /orders': 1, 'POST /orders/{order_id}': 1 });
			expect(state.orders).toHaveLength(1);
			expect(state.faults).toHaveLength(1);
			expect(await sb.stock('10000001', 101)).toBe(95);
			expect((await sb.http.post('/__sandbox/reset')).data.ok).toBe(true);
			state = await sb.state();
			expect(state.orders).toEqual([]);
			expect(state.faults).toEqual([]);
			expect(state.requests).toEqual({});
			expect(await sb.stock('10000001', 101)).toBe(100);
			const again = await sb.order('10000001');
			expect(again.orderId).toBe(1000); // ids restart with the seed
		} finally {
			await sb.sb.close();
		}
	});

	it('refuses unknown fault kinds and bad bodies with 400', async () => {
		expect((await c.http.post('/__sandbox/faults', { kind: 'meteor' })).status).toBe(400);
		expect((await c.http.post('/__sandbox/faults', { kind: 'deliveryFail' })).status).toBe(400);
		expect((await c.http.post('/__sandbox/clock', { advanceSeconds: -5 })).status).toBe(400);
		expect((await c.http.get('/__sandbox/nope')).status).toBe(404);
	});
});

describe('no refund stand-in here', () => {
	it('leaves refunds to the payment sandbox: no /__sandbox/refunds route, no refunds in the state', async () => {
		const res = await c.http.post('/__sandbox/refunds', { refund_key: 'dsr-1000-5000' });
		expect(res.status).toBe(404);
		expect(res.data).toEqual({ error: 'no admin route POST /__sandbox/refunds' });
		expect(Object.keys(await c.state())).not.toContain('refunds');
	});
});
