import { API_PREFIX, CALLBACK_METHOD, DELIVERY_METHOD, DELIVERY_STATUS_TEXT, MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE } from '../../nodes/shared/dingshang/protocol';
import { formatDateTime } from '../../sandbox/clock';
import { openSandbox, Receiver, tradeId, waitFor, type Json, type SandboxClient } from '../helpers/sandboxClient';

/** The "More of the Open API" endpoints of PROTOCOL.md and their admin routes. */

let c: SandboxClient;
let rx: Receiver;
beforeAll(async () => {
	c = await openSandbox();
	rx = await new Receiver().start();
});
afterAll(async () => {
	await c.sb.close();
	await rx.close();
});
beforeEach(async () => {
	await c.http.post('/__sandbox/reset');
});

const M = '10000002';
const post = (path: string, data?: unknown) => c.http.post(API_PREFIX + path, data);
const signed = async (path: string, params: Record<string, unknown> = {}, machineNo = M, method: 'POST' | 'PUT' = 'POST'): Promise<Json> =>
	(await c.signed(method, path, { machine_no: machineNo, ...params })).data;
const admin = async (path: string, body: unknown): Promise<Json> => {
	const res = await c.http.post(`/__sandbox${path}`, body);
	if (res.status !== 200) throw new Error(`${path} refused: ${JSON.stringify(res.data)}`);
	return res.data;
};
/** A China-time "YYYY-MM-DD HH:mm:ss" `seconds` from the sandbox's virtual now. */
const chinaIn = async (seconds: number): Promise<string> => formatDateTime((await c.http.get('/__sandbox/clock')).data.now_ms + seconds * 1000);
const createCodes = (params: Record<string, unknown>, machineNo = M) => signed('/pickup_codes', { method: 'pickup_code.product.id', product_id: '101', ...params }, machineNo);
const listCodes = async (productId = 101, machineNo = M): Promise<Json[]> => (await signed(`/products/${productId}/pickup_code`, {}, machineNo)).data;
const consume = (code: string, params: Record<string, unknown> = {}, machineNo = M) =>
	signed('/consumes', { method: 'event.consume.pickup_code', code, product_id: '101', trade_id: tradeId(), ...params }, machineNo);
const debug = (params: Record<string, unknown> = {}, machineNo = M) => signed('/deliveries/debug', { method: DELIVERY_METHOD, channel_name: 'A1', ...params }, machineNo);
const floorOf = async (channel: string, machineNo = M): Promise<Json> => (await signed('/floors', {}, machineNo)).data.find((f: Json) => f.channel.name === channel);

describe('POST /rent/machines', () => {
	it('lists every machine of the merchant with headers only, offline ones too (false left out)', async () => {
		const res = await post('/rent/machines');
		expect(res.data.code).toBe(0);
		const list: Json[] = res.data.data;
		expect(list.map((m) => m.machine_no)).toEqual(['10000001', '10000002', '10000003', '10000004', '10000005', '10000009', '8600000000000016']);
		expect(list[1]).toEqual({
			machine_name: '三楼茶水间 Floor 3 pantry',
			machine_no: M,
			is_online: true,
			status: true,
			address: '深圳市南山区科技园 1 号楼 3 楼',
			notify_message: '欢迎光临 Welcome',
			lng_lat: '113.9346,22.5432',
			created_at: '2024-03-01 10:00:00',
			contact: '王经理 Manager Wang',
			tel: '13800000000',
		});
		expect(list[5].is_online).toBeUndefined();
	});

	it('checks the headers like every endpoint', async () => {
		const res = await c.http.post(API_PREFIX + '/rent/machines', undefined, { headers: { Appid: '', AppSecret: '' } });
		expect(res.status).toBe(401);
		expect(res.data.code).toBe(10008);
	});

	it('shows a machine switched offline through the admin API, and 30001 when there is none', async () => {
		expect(await admin(`/machines/${M}/online`, { online: false })).toEqual({ machine_no: M, online: false });
		expect((await post('/rent/machines')).data.data[1].is_online).toBeUndefined();
		expect(await signed('/floors')).toMatchObject({ code: 4008 });
		for (const m of (await post('/rent/machines')).data.data) expect((await c.http.delete(`/__sandbox/machines/${m.machine_no}`)).status).toBe(200);
		expect((await post('/rent/machines')).data).toEqual({ code: 30001, message: '没有设备 (no machines)', data: {} });
	});
});

describe('POST /rent/machines/{machine_no}', () => {
	it('answers the machine with model, type 1, categories and currency', async () => {
		const res = await post(`/rent/machines/${M}`);
		expect(res.data).toEqual({
			code: 0,
			message: 'ok',
			data: {
				machine_name: '三楼茶水间 Floor 3 pantry',
				address: '深圳市南山区科技园 1 号楼 3 楼',
				lng_lat: '113.9346,22.5432',
				is_online: true,
				model: { id: 12, cabinet_names: ['A'] },
				machine_type: 1,
				cover_image: `https://sandbox.invalid/machines/${M}.jpg`,
				categories: [
					{ id: 1, title: '饮料 Drinks' },
					{ id: 2, title: '零食 Snacks' },
				],
				announcement: { title: '三楼茶水间 Floor 3 pantry 欢迎您' },
				currency: { id: 1, name: '人民币', code: 'CNY', symbol: '¥' },
			},
		});
	});

	it.each([
		['unknown', '10000077', 6026],
		['offline (older table)', '10000009', 30002],
		['malformed', '12ab', 4003],
	])('%s → %d', async (_name, machineNo, code) => {
		const res = await post(`/rent/machines/${machineNo}`);
		expect(res.data.code).toBe(code);
		if (code === 30002) expect(res.data.message).toBe('设备离线');
	});
});

describe('POST /floors and POST /categories', () => {
	it('lists channels with state, good, stock and capacity; orders and the admin API show in them', async () => {
		const floors: Json[] = (await signed('/floors')).data;
		expect(floors.map((f) => f.channel.name)).toEqual(['A1', 'A2', 'A3']);
		expect(floors[0]).toEqual({
			floor_status: '1',
			good: {
				id: 201,
				name: '矿泉水 Mineral water',
				description: '矿泉水 Mineral water（沙盒商品）',
				thumb: 'https://sandbox.invalid/goods/mineral-water.png',
				price: '2.00',
				original_price: '2.50',
				content: '<p>矿泉水 Mineral water</p>',
				good_no: 'G101',
				slug: 'mineral-water',
			},
			channel: { id: 1, name: 'A1', cabinet_name: 'A', code: '01', x: 1, y: 1, addr: '1' },
			current_inventory: 100,
			inventory: 120,
		});
		await c.order(M, [{ product_id: 101, quantity: 3 }]);
		expect((await floorOf('A1')).current_inventory).toBe(97);
		expect(await admin('/channels', { machine_no: M, channel: 'A2', floor_status: '47', stock: 0, capacity: 10 })).toMatchObject({ floor_status: '47', stock: 0, capacity: 10 });
		const a2 = await floorOf('A2');
		expect(a2).toMatchObject({ floor_status: '47', inventory: 10 });
		expect(a2.current_inventory).toBeUndefined(); // protobuf: 0 left out
	});

	it('refuses the offline machine like every signed endpoint', async () => {
		expect((await signed('/floors', {}, '10000009')).code).toBe(4008);
	});

	it('lists categories, hidden ones without is_visible', async () => {
		expect((await signed('/categories')).data).toEqual([
			{ id: 1, title: '饮料 Drinks', sort_id: 1, is_visible: true },
			{ id: 2, title: '零食 Snacks', sort_id: 2, is_visible: true },
			{ id: 3, title: '季节限定 Seasonal', sort_id: 3 },
		]);
	});
});

describe('POST /products', () => {
	it('pages products with category, good, channel and stock', async () => {
		const res = await signed('/products');
		expect(res.code).toBe(0);
		expect(res.data).toMatchObject({ total: 3, current_page: 1, last_page: 1, per_page: 10 });
		expect(res.data.data[2]).toEqual({
			id: 103,
			category: { id: 2, title: '零食 Snacks' },
			good: expect.objectContaining({ id: 203, name: '薯片 Chips', price: '5.50' }),
			channel: { name: 'A3', cabinet_name: 'A', code: '03', x: 3, y: 1, addr: '1' },
			current_inventory: 100,
			inventory: 120,
		});
		const page2 = (await signed('/products', { page: '2', per_page: '2' })).data;
		expect(page2).toMatchObject({ total: 3, current_page: 2, last_page: 2, per_page: 2 });
		expect(page2.data.map((p: Json) => p.id)).toEqual([103]);
		const all = (await signed('/products', { per_page: '1', select_all: '1' })).data;
		expect(all).toMatchObject({ total: 3, current_page: 1, last_page: 1, per_page: 3 });
		expect(all.data).toHaveLength(3);
	});

	it('filters by category, cabinet and addr', async () => {
		expect((await signed('/products', { category_id: '1' })).data.data.map((p: Json) => p.id)).toEqual([101, 102]);
		expect((await signed('/products', { category_id: '0', cabinet_name: 'A' })).data.total).toBe(3);
		expect((await signed('/products', { addr: '1' })).data.total).toBe(3);
	});

	it.each([
		['an empty category', { category_id: '3' }],
		['another cabinet', { cabinet_name: 'B' }],
		['another addr', { addr: '8' }],
	])('answers data: [] itself for %s (the documented quirk)', async (_name, params) => {
		expect(await signed('/products', params)).toEqual({ code: 0, message: 'ok', data: [] });
	});

	it.each([
		['cabinet_name with addr', { cabinet_name: 'A', addr: '1' }],
		['a lower-case cabinet', { cabinet_name: 'a' }],
		['addr 9', { addr: '9' }],
		['select_all 2', { select_all: '2' }],
		['page 0', { page: '0' }],
	])('refuses %s with 4003', async (_name, params) => {
		expect((await signed('/products', params)).code).toBe(4003);
	});
});

describe('pickup codes', () => {
	it('creates codes for a product (data {}) and lists them unused', async () => {
		expect(await createCodes({ code_length: '8', count: '3', quantity: '5' })).toEqual({ code: 0, message: 'ok', data: {} });
		const codes = await listCodes();
		expect(codes).toHaveLength(3);
		for (const code of codes) {
			expect(code).toEqual({
				id: expect.any(Number),
				code: expect.stringMatching(/^\d{8}$/),
				status: 'UNUSED',
				created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
				quantity: 1,
			});
		}
		expect(new Set(codes.map((x) => x.code)).size).toBe(3);
		expect(await listCodes(102)).toEqual([]);
	});

	it('creates codes for every product, default length 6, with an expiry', async () => {
		const expiredAt = await chinaIn(3600);
		expect((await signed('/pickup_codes', { method: 'pickup_code.product.all', expired_at: expiredAt, count: '2' })).code).toBe(0);
		for (const productId of [101, 102, 103]) {
			const codes = await listCodes(productId);
			expect(codes).toHaveLength(2);
			expect(codes[0]).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), expired_at: expiredAt });
		}
		expect((await c.state()).pickup_codes).toHaveLength(6);
	});

	it('hides and refuses codes once expired on the virtual clock', async () => {
		await createCodes({ expired_at: await chinaIn(3600) });
		const [code] = await listCodes();
		await c.advance(3601);
		expect(await listCodes()).toEqual([]);
		expect((await c.state()).pickup_codes[0]).toMatchObject({ id: code.id, status: 'EXPIRED' });
		expect(await consume(code.code)).toEqual({ code: 6032, message: 'pickup code expired', data: {} });
	});

	it.each([
		['pickup codes switched off (10000004)', { machineNo: '10000004' }, 6031],
		['an unparseable expired_at', { expired_at: '2030-02-30 10:00:00' }, 6029],
		['an expired_at in the past', { expired_at: '2020-01-01 00:00:00' }, 6029],
		['code_length 5', { code_length: '5' }, 4003],
		['code_length 11', { code_length: '11' }, 4003],
		['an unknown product', { product_id: '999' }, 6045],
		['a wrong method', { method: 'pickup_code.product.some' }, 6021],
		['no method', { method: undefined }, 6021],
	])('refuses %s', async (_name, { machineNo, ...params }: Record<string, string | undefined>, code) => {
		expect((await createCodes(params, machineNo)).code).toBe(code);
	});

	it('follows the dashboard switch set through the admin API', async () => {
		expect((await createCodes({}, '10000004')).message).toBe('pickup-code function not enabled');
		expect(await admin('/pickup-switch', { machine_no: '10000004', enabled: true })).toEqual({ machine_no: '10000004', pickup_enabled: true });
		expect((await createCodes({}, '10000004')).code).toBe(0);
		await admin('/pickup-switch', { machine_no: M, enabled: false });
		expect((await createCodes({})).code).toBe(6031);
	});

	it('cancels one code (PUT), refuses an unknown id with 80002, and cancels all', async () => {
		await createCodes({ count: '3' });
		const [first, ...rest] = await listCodes();
		const del = (params: Record<string, unknown>) => signed('/pickup_codes', params, M, 'PUT');
		expect(await del({ method: 'pickup_code.delete.id', id: String(first.id) })).toEqual({ code: 0, message: 'ok', data: {} });
		expect((await listCodes()).map((x) => x.id)).toEqual(rest.map((x) => x.id));
		expect((await del({ method: 'pickup_code.delete.id', id: String(first.id) })).code).toBe(80002);
		expect((await del({ method: 'pickup_code.delete.id', id: '424242' })).code).toBe(80002);
		expect((await del({ method: 'pickup_code.delete' })).code).toBe(6021);
		expect((await del({ method: 'pickup_code.delete.all' })).code).toBe(0);
		expect(await listCodes()).toEqual([]);
	});
});

describe('POST /consumes', () => {
	it('makes a PICKUPCODE order like get order shows it, which put delivery dispenses', async () => {
		await createCodes({});
		const [code] = await listCodes();
		const trade = tradeId();
		const url = rx.url('consumed');
		const res = await consume(code.code, { trade_id: trade, notify_url: url });
		expect(res.code).toBe(0);
		const order = res.data;
		expect(order).toEqual({
			order_id: expect.any(Number),
			trade_id: trade,
			date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
			amount: '2.00',
			status: 'PICKUPCODE',
			pickup_code_id: code.id,
			records: [{ id: expect.any(Number), product_id: 101, quantity: 1, price: '2.00', status: 'WAITING_PICKED_UP' }],
		});
		expect((await signed(`/orders/${order.order_id}`)).data).toEqual(order);
		expect(await c.stock(M, 101)).toBe(99);
		expect(await listCodes()).toEqual([]);
		expect((await c.state()).pickup_codes[0]).toMatchObject({ status: 'USED', order_id: order.order_id });

		const put = await c.putDelivery(M, order.order_id, order.records[0].id);
		expect(put.data.data.delivery_id).toMatch(/^\d{16}$/);
		await c.waitRecord(order.records[0].id, 'IS_SUCCESS');
		const [hit] = await waitFor(async () => rx.hits('consumed').length > 0 && rx.hits('consumed'));
		expect(hit.body).toMatchObject({ deliver_status: '1', order_id: order.order_id, record_id: order.records[0].id });
		expect((await floorOf('A1')).current_inventory).toBe(99);
	});

	it('answers a used code with 10025 and the order it made in data', async () => {
		await createCodes({});
		const [code] = await listCodes();
		const first = await consume(code.code);
		const again = await consume(code.code);
		expect(again).toEqual({ code: 10025, message: '取货码已使用', data: { order_id: first.data.order_id } });
	});

	it('checks the code before the trade id, so a retry learns its order', async () => {
		await createCodes({});
		const [code] = await listCodes();
		const trade = tradeId();
		const first = await consume(code.code, { trade_id: trade });
		expect(await consume(code.code, { trade_id: trade })).toMatchObject({ code: 10025, data: { order_id: first.data.order_id } });
	});

	it('refuses a trade id already used (6040) or empty (6041)', async () => {
		await createCodes({ count: '2' });
		const [a, b] = await listCodes();
		const trade = tradeId();
		expect((await consume(a.code, { trade_id: trade })).code).toBe(0);
		expect((await consume(b.code, { trade_id: trade })).code).toBe(6040);
		expect((await consume(b.code, { trade_id: '' })).code).toBe(6041);
		expect((await consume(b.code, { trade_id: 'has space' })).code).toBe(4003);
		expect((await consume(b.code, { trade_id: 'x'.repeat(33) })).code).toBe(4003);
	});

	it('refuses unknown codes (4004), another product (4004), switched off (6031), short stock (6047), a wrong method (6021)', async () => {
		await createCodes({});
		const [code] = await listCodes();
		expect(await consume('000000')).toEqual({ code: 4004, message: 'pickup code not found', data: {} });
		expect((await consume(code.code, { product_id: '102' })).code).toBe(4004);
		expect((await consume(code.code, { method: 'event.consume' })).code).toBe(6021);
		await admin('/channels', { machine_no: M, channel: 'A1', stock: 0 });
		expect((await consume(code.code)).code).toBe(6047);
		await admin('/pickup-switch', { machine_no: M, enabled: false });
		expect((await consume(code.code)).code).toBe(6031);
		expect((await c.state()).pickup_codes[0].status).toBe('UNUSED');
	});
});

describe('POST /deliveries/debug', () => {
	it('drops one product, takes the machine lock, and pushes its result', async () => {
		const url = rx.url('debug');
		const res = await debug({ notify_url: url });
		expect(res.code).toBe(0);
		expect(res.data).toEqual({ delivery_id: expect.stringMatching(/^\d{16}$/), delivered_at: expect.any(String), status: DELIVERY_STATUS_TEXT.delivering });
		expect(await c.stock(M, 101)).toBe(99);

		const [hit] = await waitFor(async () => rx.hits('debug').length > 0 && rx.hits('debug'));
		expect(hit.body).toEqual({ deliver_status: '1', error_msg: '', floor_status: '1', method: CALLBACK_METHOD, order_id: 0, record_id: 0, channel_name: 'A1' });
		const got = await c.getDelivery(M, res.data.delivery_id);
		expect(got.data.data).toMatchObject({ status: DELIVERY_STATUS_TEXT.success, pickup_at: expect.any(String) });
		expect((await floorOf('A1')).current_inventory).toBe(99);
		expect((await debug({ channel_name: 'A2' })).code).toBe(0); // unlocked once it reported
	});

	it('takes the same machine lock as put delivery, both ways', async () => {
		// Time scale 1: the machine stays busy until the test pushes the clock past the dispense.
		const slow = await openSandbox({ timeScale: 1 });
		try {
			const call = async (params: Record<string, unknown> = {}) =>
				(await slow.signed('POST', '/deliveries/debug', { machine_no: M, method: DELIVERY_METHOD, channel_name: 'A1', ...params })).data;
			const { orderId, recordIds } = await slow.paidOrder(M, [{ product_id: 102, quantity: 1 }]);
			expect((await call()).code).toBe(0);
			expect(await call({ channel_name: 'A2' })).toEqual({ code: MACHINE_BUSY_CODE, message: MACHINE_BUSY_MESSAGE, data: {} });
			expect((await slow.putDelivery(M, orderId, recordIds[0])).data.code).toBe(MACHINE_BUSY_CODE);
			await slow.advance(1); // a dispense takes 0.5–1 s
			expect((await slow.putDelivery(M, orderId, recordIds[0])).data.code).toBe(0);
			expect((await call()).code).toBe(MACHINE_BUSY_CODE);
			await slow.advance(1);
			expect((await call()).code).toBe(0);
			expect(await slow.stock(M, 101)).toBe(98);
		} finally {
			await slow.sb.close();
		}
	});

	it('fails from a faulty channel with its floor_status', async () => {
		await admin('/channels', { machine_no: M, channel: 'A3', floor_status: '3' });
		const url = rx.url('debug-fault');
		const res = await debug({ channel_name: 'A3', notify_url: url });
		const [hit] = await waitFor(async () => rx.hits('debug-fault').length > 0 && rx.hits('debug-fault'));
		expect(hit.body).toMatchObject({ deliver_status: '0', error_msg: 'Slave Comm Error', floor_status: '3', order_id: 0 });
		expect((await c.getDelivery(M, res.data.delivery_id)).data.data).toMatchObject({ status: DELIVERY_STATUS_TEXT.failed, fail_reason: 'Slave Comm Error' });
	});

	it.each([
		['an unknown channel of cabinet A', { channel_name: 'A9' }, 4004],
		['a cabinet the machine lacks', { channel_name: 'B1' }, 6038],
		['a malformed channel', { channel_name: 'A-1' }, 4003],
		['no channel', { channel_name: undefined }, 4003],
		['a wrong method', { method: 'device.delivery.debug' }, 6021],
	])('refuses %s', async (_name, params, code) => {
		expect((await debug(params)).code).toBe(code);
	});

	it('refuses an empty channel with 60003', async () => {
		await admin('/channels', { machine_no: M, channel: 'A1', stock: 0 });
		expect((await debug()).code).toBe(60003);
	});
});

describe('admin additions', () => {
	it('shows the new data in the state and resets it', async () => {
		await createCodes({});
		await admin('/channels', { machine_no: M, channel: 'A1', floor_status: '2', capacity: 150 });
		const state = await c.state();
		expect(state.categories).toHaveLength(3);
		expect(state.pickup_codes).toEqual([expect.objectContaining({ machine_no: M, product_id: 101, status: 'UNUSED', quantity: 1 })]);
		const machine = state.machines.find((m: Json) => m.machine_no === M);
		expect(machine).toMatchObject({ name: '三楼茶水间 Floor 3 pantry', pickup_enabled: true });
		expect(machine.products[0]).toMatchObject({ channel: 'A1', floor_status: '2', capacity: 150, stock: 100, category_id: 1 });
		expect(state.machines.find((m: Json) => m.machine_no === '10000004').pickup_enabled).toBe(false);

		await c.http.post('/__sandbox/reset');
		const after = await c.state();
		expect(after.pickup_codes).toEqual([]);
		expect(after.machines.find((m: Json) => m.machine_no === M).products[0]).toMatchObject({ floor_status: '1', capacity: 120 });
	});

	it.each([
		['/channels', { machine_no: M, channel: 'A1', floor_status: '5' }, 400],
		['/channels', { machine_no: M, channel: 'A1', stock: -1 }, 400],
		['/channels', { machine_no: M, channel: 'Z9' }, 404],
		['/channels', { machine_no: '10000077', channel: 'A1' }, 404],
		['/pickup-switch', { machine_no: M, enabled: 'yes' }, 400],
		[`/machines/${M}/online`, { online: 1 }, 400],
		['/machines/10000077/online', { online: true }, 404],
	])('refuses POST %s %j', async (path, body, status) => {
		expect((await c.http.post(`/__sandbox${path}`, body)).status).toBe(status);
	});
});
