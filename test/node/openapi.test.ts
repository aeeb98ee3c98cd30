import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { apiRequestCount, vendingRunner } from '../helpers/vending';

/** The rest of the Open API (pickup codes, test dispense, machines, products, channels, categories) through n8n-core's engine, against the sandbox. */

let client: SandboxClient;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox();
	run = vendingRunner(client);
});
afterEach(async () => {
	await client.http.post('/__sandbox/reset');
});
afterAll(async () => client.sb.close());

const json = (result: { items: Array<{ json: Record<string, unknown> }> }) => result.items.map((item) => item.json);

async function expectPlatformError(parameters: Record<string, unknown>, code: number, description: RegExp) {
	const result = await run(parameters);
	expect(result.items).toHaveLength(0);
	expect(result.error?.name).toBe('NodeApiError');
	expect(String(result.error?.message)).toContain(String(code));
	expect(String(result.error?.description)).toMatch(description);
}

async function expectBadInput(parameters: Record<string, unknown>, message: RegExp) {
	const before = await apiRequestCount(client);
	const result = await run(parameters);
	expect(result.error?.name).toBe('NodeOperationError');
	expect(String(result.error?.message)).toMatch(message);
	expect(await apiRequestCount(client)).toBe(before); // nothing sent
}

describe('Machine', () => {
	it('Get Many lists every machine with online and operating as booleans; Limit and Return All', async () => {
		const all = json(await run({ resource: 'machine', operation: 'getAll', returnAll: true }));
		expect(all.map((m) => m.machine_no)).toEqual(expect.arrayContaining(['10000001', '10000009']));
		expect(all.find((m) => m.machine_no === '10000009')).toMatchObject({ is_online: false, machine_name: expect.any(String) });
		expect(all.find((m) => m.machine_no === '10000001')).toMatchObject({ is_online: true, status: true });
		expect(json(await run({ resource: 'machine', operation: 'getAll', returnAll: false, limit: 2 }))).toHaveLength(2);
	});

	it('Get shows the type as text; offline is 30002 and unknown is 6026, explained', async () => {
		const [machine] = json(await run({ resource: 'machine', operation: 'get', machineNo: '10000001' }));
		expect(machine).toMatchObject({ machine_no: '10000001', machine_type: 1, machineType: 'Vending machine', machineTypeZh: '售卖机', model: expect.any(Object) });
		await expectPlatformError({ resource: 'machine', operation: 'get', machineNo: '10000009' }, 30002, /offline/i);
		await expectPlatformError({ resource: 'machine', operation: 'get', machineNo: '19999999' }, 6026, /No machine/);
	});

	it('the machine number works as a plain value, "By ID" and "From list" (node version 1.2)', async () => {
		for (const machineNo of ['10000001', { __rl: true, mode: 'id', value: '10000001' }, { __rl: true, mode: 'list', value: '10000001' }]) {
			expect(json(await run({ resource: 'machine', operation: 'get', machineNo }))[0]).toMatchObject({ machine_no: '10000001' });
		}
		// "By ID" checks the number in the form: n8n refuses to run the node at all.
		await expect(run({ resource: 'machine', operation: 'get', machineNo: { __rl: true, mode: 'id', value: '12ab' } })).rejects.toThrow(/8 or more digits/);
	});
});

describe('Product, Channel, Category', () => {
	it('Product Get Many: stock and channel, over pages, filters; an empty result ("data": []) is no items', async () => {
		const products = json(await run({ resource: 'product', operation: 'getAll', machineNo: '10000001', returnAll: true }));
		expect(products.map((p) => p.product_id)).toEqual([101, 102, 103]);
		expect(products[0]).toMatchObject({ product_name: expect.any(String), channel_name: 'A1', current_inventory: 100, inventory: 120 });
		expect(json(await run({ resource: 'product', operation: 'getAll', machineNo: '10000001', returnAll: false, limit: 2 }))).toHaveLength(2);
		const snacks = json(await run({ resource: 'product', operation: 'getAll', machineNo: '10000001', returnAll: true, filters: { categoryId: '2' } }));
		expect(snacks.map((p) => p.product_id)).toEqual([103]);
		expect(json(await run({ resource: 'product', operation: 'getAll', machineNo: '10000001', returnAll: true, filters: { categoryId: '3' } }))).toEqual([]);
		await expectBadInput({ resource: 'product', operation: 'getAll', machineNo: '10000001', filters: { cabinetName: 'A', boardAddress: 1 } }, /Board Address.*not both/);
	});

	it('Product Get Many follows the platform pages to the end (120 products over 3 pages of 50), and stops at the Limit', async () => {
		await client.http.post('/__sandbox/machines', { machine_no: '10000077', type: 'motor', products: 120 });
		const all = json(await run({ resource: 'product', operation: 'getAll', machineNo: '10000077', returnAll: true }));
		expect(all.map((p) => p.product_id)).toEqual(Array.from({ length: 120 }, (_, i) => 101 + i));
		expect(all[119]).toMatchObject({ channel_name: 'L10' });
		const requests = async () => (await client.state()).requests['POST /products'] ?? 0;
		const before = await requests();
		expect(json(await run({ resource: 'product', operation: 'getAll', machineNo: '10000077', returnAll: false, limit: 60 }))).toHaveLength(60);
		expect((await requests()) - before).toBe(2); // two pages of 50, not three
	});

	it('Channel Get Many explains a stuck channel in English and 中文 and shows stock and capacity', async () => {
		await client.http.post('/__sandbox/channels', { machine_no: '10000001', channel: 'A2', floor_status: '2', stock: 4 });
		const channels = json(await run({ resource: 'channel', operation: 'getAll', machineNo: '10000001', returnAll: true }));
		expect(channels.map((c) => c.channel_name)).toEqual(['A1', 'A2', 'A3']);
		expect(channels[1]).toMatchObject({ floor_status: '2', channelStatus: 'Product stuck in the channel', channelStatusZh: '商品卡货', fault: true, current_inventory: 4, inventory: 120 });
		expect(channels[0]).toMatchObject({ floor_status: '1', fault: false });
	});

	it('Category Get Many', async () => {
		const categories = json(await run({ resource: 'category', operation: 'getAll', machineNo: '10000001', returnAll: true }));
		expect(categories).toEqual(expect.arrayContaining([expect.objectContaining({ id: 1, is_visible: true }), expect.objectContaining({ id: 3, is_visible: false })]));
	});
});

describe('Pickup Code', () => {
	const machine = '10000001';

	it('create 3 codes of 8 digits for one product: the new codes are output; Get Many lists them; Delete one', async () => {
		const created = json(await run({ resource: 'pickupCode', operation: 'create', machineNo: machine, createFor: 'product', productId: '101', count: 3, codeLength: 8 }));
		expect(created).toHaveLength(3);
		for (const code of created) expect(code).toMatchObject({ machine_no: machine, product_id: 101, code: expect.stringMatching(/^\d{8}$/), status: 'UNUSED' });
		const listed = json(await run({ resource: 'pickupCode', operation: 'getAll', machineNo: machine, productId: '101', returnAll: true }));
		expect(listed.map((c) => c.code).sort()).toEqual(created.map((c) => c.code).sort());
		await run({ resource: 'pickupCode', operation: 'delete', machineNo: machine, deleteWhat: 'one', pickupCodeId: String(created[0].id) });
		const after = json(await run({ resource: 'pickupCode', operation: 'getAll', machineNo: machine, productId: '101', returnAll: true }));
		expect(after.map((c) => c.id)).not.toContain(created[0].id);
		expect(after).toHaveLength(2);
		await run({ resource: 'pickupCode', operation: 'delete', machineNo: machine, deleteWhat: 'all' });
		expect(json(await run({ resource: 'pickupCode', operation: 'getAll', machineNo: machine, productId: '101', returnAll: true }))).toEqual([]);
	});

	it('codes expire on the platform clock (China time); bad dates and lengths are refused before sending', async () => {
		const { now_ms } = (await client.http.get('/__sandbox/clock')).data;
		const soon = new Date(now_ms + 3600_000).toISOString(); // +1 h on the platform clock, as UTC with its zone
		const created = json(await run({ resource: 'pickupCode', operation: 'create', machineNo: machine, productId: '102', count: 1, codeLength: 6, expiresAt: soon }));
		expect(created).toHaveLength(1);
		expect(String(created[0].expired_at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		await client.advance(2 * 3600);
		expect(json(await run({ resource: 'pickupCode', operation: 'getAll', machineNo: machine, productId: '102', returnAll: true }))).toEqual([]);
		await expectPlatformError({ resource: 'pickupCode', operation: 'create', machineNo: machine, productId: '102', count: 1, codeLength: 6, expiresAt: '2020-01-01T00:00:00' }, 6029, /expir/i);
		await expectBadInput({ resource: 'pickupCode', operation: 'create', machineNo: machine, productId: '102', count: 1, codeLength: 6, expiresAt: 'next tuesday' }, /Expires At/);
		await expectBadInput({ resource: 'pickupCode', operation: 'create', machineNo: machine, productId: '102', count: 1, codeLength: 11 }, /Code Length/);
	});

	it('switched off in the dashboard: 6031 explained', async () => {
		await expectPlatformError({ resource: 'pickupCode', operation: 'create', machineNo: '10000004', productId: '101', count: 1, codeLength: 6 }, 6031, /Switch them on/);
	});

	it('consume → the PICKUPCODE order; Dispense dispenses it once; consuming again outputs the same order as already_consumed and dispenses nothing', async () => {
		const [code] = json(await run({ resource: 'pickupCode', operation: 'create', machineNo: machine, productId: '103', count: 1, codeLength: 6 }));
		const consume = { resource: 'pickupCode', operation: 'consume', machineNo: machine, code: String(code.code), productId: '103', notifyUrl: 'http://127.0.0.1:9/hook?token=secret' };
		const [order] = json(await run(consume));
		expect(order).toMatchObject({ outcome: 'consumed', status: 'PICKUPCODE', machine_no: machine, order_id: expect.any(Number), notify_url: `http://127.0.0.1:9/hook?token=***&machine_no=${machine}` });
		expect(order.records).toHaveLength(1);
		const stockBefore = await client.stock(machine, 103);

		const dispense = { resource: 'delivery', operation: 'put', machineNo: machine, orderId: String(order.order_id), dispense: 'allPending', waitForResult: true };
		const first = await run(dispense);
		expect(first.outputs[0].map((i) => i.json)).toEqual([expect.objectContaining({ outcome: 'dispensed', order_id: order.order_id })]);

		const [again] = json(await run(consume));
		expect(again).toMatchObject({ outcome: 'already_consumed', order_id: order.order_id, status: 'PICKUPCODE' });
		const second = await run(dispense);
		expect(second.outputs[0].map((i) => i.json)).toEqual([expect.objectContaining({ outcome: 'nothing_pending' })]);
		const recordId = (order.records as Array<{ id: number }>)[0].id;
		expect((await client.record(recordId)).dispense_count).toBe(1);
		expect(await client.stock(machine, 103)).toBe(stockBefore);
	});

	it('a lost Consume answer is asked again: the order our first attempt made comes back as consumed, no second order', async () => {
		const [code] = json(await run({ resource: 'pickupCode', operation: 'create', machineNo: machine, productId: '101', count: 1, codeLength: 6 }));
		await client.fault({ kind: 'reset', when: 'after', match: { method: 'POST', path: '/api/openapi/v1/consumes' } });
		const ordersBefore = (await client.state()).orders.length;
		const [order] = json(await run({ resource: 'pickupCode', operation: 'consume', machineNo: machine, code: String(code.code), productId: '101' }));
		expect(order).toMatchObject({ outcome: 'consumed', answer_lost: true, status: 'PICKUPCODE' });
		expect((await client.state()).orders.length).toBe(ordersBefore + 1);
	});

	it('an unknown code is refused with the platform code; a malformed one before sending', async () => {
		await expectPlatformError({ resource: 'pickupCode', operation: 'consume', machineNo: machine, code: '999999', productId: '101' }, 4004, /.+/);
		await expectBadInput({ resource: 'pickupCode', operation: 'consume', machineNo: machine, code: '12a4', productId: '101' }, /Code/);
	});
});

describe('Delivery → Test Dispense', () => {
	it('drops one product from the channel and waits for the result; two tests of one machine wait for its lock', async () => {
		const before = await client.stock('10000001', 101);
		const result = await run({ resource: 'delivery', operation: 'test', machineNo: '10000001', channelName: 'A1', waitForResult: true, maxWaitSeconds: 60 }, [{}, {}]);
		expect(result.error).toBeUndefined();
		expect(json(result)).toEqual([
			expect.objectContaining({ outcome: 'dispensed', channel_name: 'A1', delivery_id: expect.stringMatching(/^\d{16}$/) }),
			expect.objectContaining({ outcome: 'dispensed', channel_name: 'A1' }),
		]);
		expect(await client.stock('10000001', 101)).toBe(before - 2);
	});

	it('a stuck channel fails with the reason; a bad channel name is refused before sending; an unknown cabinet is 6038', async () => {
		await client.http.post('/__sandbox/channels', { machine_no: '10000002', channel: 'A3', floor_status: '2' });
		const [failed] = json(await run({ resource: 'delivery', operation: 'test', machineNo: '10000002', channelName: 'a3', waitForResult: true }));
		expect(failed).toMatchObject({ outcome: 'failed', channel_name: 'A3', reason: expect.stringMatching(/stuck/i) });
		await expectBadInput({ resource: 'delivery', operation: 'test', machineNo: '10000002', channelName: 'A-1' }, /Channel Name/);
		await expectPlatformError({ resource: 'delivery', operation: 'test', machineNo: '10000002', channelName: 'Z1', waitForResult: false }, 6038, /.+/);
	});
});
