import { SandboxClient, openSandbox, tradeId } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/** Every operation through n8n-core's engine, against the sandbox over real HTTP. */

let client: SandboxClient;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox();
	run = vendingRunner(client);
});
afterAll(async () => client.sb.close());

describe('success paths', () => {
	it('Create → Update (Paid) → Put (all pending, wait) → Get Delivery → Get Order', async () => {
		const created = await run({
			resource: 'order',
			operation: 'create',
			machineNo: '10000001',
			products: { product: [{ productId: '101', quantity: 1 }, { productId: '102', quantity: 2 }] },
			notifyUrl: 'http://127.0.0.1:9/never',
		});
		expect(created.error).toBeUndefined();
		const order = created.items[0].json;
		expect(order.order_id).toEqual(expect.any(Number));
		expect(String(order.trade_id)).toMatch(/^n8n\d{13}[0-9a-f]{12}$/); // generated when left empty
		expect(created.items[0].pairedItem).toEqual({ item: 0 });

		const paid = await run({ resource: 'order', operation: 'update', orderId: String(order.order_id), machineNo: '10000001', status: 1 });
		expect(paid.error).toBeUndefined();
		expect(paid.items[0].json).toMatchObject({ order_id: order.order_id, status: 1, order_status: 'SUCCESS', updated: true });

		const put = await run({ resource: 'delivery', operation: 'put', machineNo: '10000001', orderId: String(order.order_id), dispense: 'allPending', waitForResult: true });
		expect(put.error).toBeUndefined();
		expect(put.items).toHaveLength(2);
		for (const item of put.items) {
			expect(item.json).toMatchObject({ outcome: 'dispensed', status: '出货成功', delivery_id: expect.stringMatching(/^\d{16}$/), refund_key: null });
			expect(item.json.delivered_at).toEqual(expect.any(String));
			expect(item.pairedItem).toEqual({ item: 0 });
		}

		const deliveryId = put.items[0].json.delivery_id as string;
		const got = await run({ resource: 'delivery', operation: 'get', machineNo: '10000001', deliveryId });
		expect(got.items[0].json).toMatchObject({ delivery_id: deliveryId, outcome: 'dispensed', status: '出货成功' });

		const read = await run({ resource: 'order', operation: 'get', orderId: String(order.order_id), machineNo: '10000001' });
		expect(read.items[0].json).toMatchObject({ order_id: order.order_id, status: 'SUCCESS' });
		expect((read.items[0].json.records as Array<{ status: string }>).map((r) => r.status)).toEqual(['IS_SUCCESS', 'IS_SUCCESS']);

		for (const recordId of (read.items[0].json.records as Array<{ id: number }>).map((r) => r.id)) {
			expect((await client.record(recordId)).dispense_count).toBe(1);
		}
	});

	it('Put one record without waiting returns outcome "sent" with the delivery id', async () => {
		const { orderId, recordIds } = await client.paidOrder('10000002');
		const put = await run({ resource: 'delivery', operation: 'put', machineNo: '10000002', orderId: String(orderId), dispense: 'record', recordId: String(recordIds[0]), waitForResult: false });
		expect(put.error).toBeUndefined();
		expect(put.items[0].json).toMatchObject({ outcome: 'sent', record_id: recordIds[0], status: '未取货或正在出货' });
		await client.waitRecord(recordIds[0], 'IS_SUCCESS');
	});

	it('Put on an order with nothing left says so and sends no dispense', async () => {
		const { orderId, recordIds } = await client.paidOrder('10000004');
		await run({ resource: 'delivery', operation: 'put', machineNo: '10000004', orderId: String(orderId), dispense: 'allPending', waitForResult: true });
		const again = await run({ resource: 'delivery', operation: 'put', machineNo: '10000004', orderId: String(orderId), dispense: 'allPending', waitForResult: true });
		expect(again.items[0].json).toMatchObject({ outcome: 'nothing_pending', records: [{ id: recordIds[0], status: 'IS_SUCCESS' }] });
		expect((await client.record(recordIds[0])).dispense_count).toBe(1);
	});

	it('the drink machine drops the whole quantity with one command', async () => {
		const { orderId, recordIds } = await client.paidOrder('10000005', [{ product_id: 101, quantity: 3 }]);
		const put = await run({ resource: 'delivery', operation: 'put', machineNo: '10000005', orderId: String(orderId), dispense: 'allPending', waitForResult: true });
		expect(put.items[0].json.outcome).toBe('dispensed');
		expect(await client.record(recordIds[0])).toMatchObject({ dispense_count: 1, dropped: 3 });
	});
});

describe('documented failures become NodeApiErrors with code, message and explanation', () => {
	async function expectError(parameters: Record<string, unknown>, code: number | null, message: RegExp, description: RegExp) {
		const result = await run(parameters);
		expect(result.items).toHaveLength(0);
		expect(result.error).toBeDefined();
		expect(result.error?.name).toBe('NodeApiError');
		expect(String(result.error?.message)).toMatch(message);
		if (code !== null) expect(String(result.error?.message)).toContain(String(code));
		expect(String(result.error?.description)).toMatch(description);
		return result;
	}

	it('6026 unknown machine', async () => {
		await expectError({ resource: 'order', operation: 'get', orderId: '1', machineNo: '19999999' }, 6026, /machine not found/i, /No machine with this number/);
	});

	it('4008 machine offline', async () => {
		await expectError({ resource: 'order', operation: 'get', orderId: '1', machineNo: '10000009' }, 4008, /offline/i, /offline/);
	});

	it('4004 order not found', async () => {
		await expectError({ resource: 'order', operation: 'get', orderId: '999999', machineNo: '10000001' }, 4004, /not found/i, /Check the Order ID/);
	});

	it('paid by a copy of the execution between our read and our update (6049): changed false, no error', async () => {
		const { orderId } = await client.order('10000001');
		await client.fault({ kind: 'delay', ms: 800, when: 'before', match: { method: 'PUT', path: `/api/openapi/v1/orders/${orderId}` } });
		const ours = run({ resource: 'order', operation: 'update', orderId: String(orderId), machineNo: '10000001', status: 1 });
		await new Promise((resolve) => setTimeout(resolve, 300)); // our PUT is held back by then
		expect((await client.setStatus('10000001', orderId, 1)).data.code).toBe(0); // the other copy pays it
		const result = await ours;
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ order_id: orderId, order_status: 'SUCCESS', previous_status: 'NOTPAY', changed: false });
	});

	it('an order that already has the status is not updated again (changed: false, nothing sent); 6043 invalid status change', async () => {
		const { orderId } = await client.paidOrder('10000001');
		const puts = async () => (await client.state()).requests['PUT /orders/{order_id}'] ?? 0;
		const before = await puts();
		const again = await run({ resource: 'order', operation: 'update', orderId: String(orderId), machineNo: '10000001', status: 1 });
		expect(again.error).toBeUndefined(); // not the platform's 6049 "already paid"
		expect(again.items[0].json).toMatchObject({ order_id: orderId, order_status: 'SUCCESS', previous_status: 'SUCCESS', changed: false, updated: false });
		expect(await puts()).toBe(before);
		const refund = await run({ resource: 'order', operation: 'update', orderId: String(orderId), machineNo: '10000001', status: 2 });
		expect(refund.items[0].json).toMatchObject({ order_status: 'REFUND', previous_status: 'SUCCESS', changed: true, updated: true });
		expect(await puts()).toBe(before + 1);
		const refundAgain = await run({ resource: 'order', operation: 'update', orderId: String(orderId), machineNo: '10000001', status: 2 });
		expect(refundAgain.items[0].json).toMatchObject({ order_status: 'REFUND', previous_status: 'REFUND', changed: false });
		expect(await puts()).toBe(before + 1);
		await client.setStatus('10000001', orderId, 3);
		await expectError({ resource: 'order', operation: 'update', orderId: String(orderId), machineNo: '10000001', status: 1 }, 6043, /status/i, /not in a state/);
	});

	it('6040 duplicate trade id, 6045 unknown product, 6047 out of stock', async () => {
		const trade = tradeId();
		const base = { resource: 'order', operation: 'create', machineNo: '10000001', tradeId: trade };
		expect((await run({ ...base, products: { product: [{ productId: '101', quantity: 1 }] } })).error).toBeUndefined();
		await expectError({ ...base, products: { product: [{ productId: '101', quantity: 1 }] } }, 6040, /6040/, /Trade ID already exists/);
		await expectError({ ...base, tradeId: tradeId(), products: { product: [{ productId: '999', quantity: 1 }] } }, 6045, /6045/, /product was not found/);
		await expectError({ ...base, tradeId: tradeId(), products: { product: [{ productId: '101', quantity: 999 }] } }, 6047, /6047/, /Not enough stock/);
	});

	it('6042 expired order (virtual clock +21 min)', async () => {
		const { orderId, recordIds } = await client.order('10000003');
		await client.advance(21 * 60);
		await expectError({ resource: 'order', operation: 'update', orderId: String(orderId), machineNo: '10000003', status: 1 }, 6042, /expired/i, /expired/);
		await expectError({ resource: 'delivery', operation: 'put', orderId: String(orderId), machineNo: '10000003', dispense: 'record', recordId: String(recordIds[0]) }, 6042, /expired/i, /expired/);
	});

	it('seed 003 quirk: code 0 "订单未支付" without delivery_id is a failure, nothing dispensed', async () => {
		const { orderId, recordIds } = await client.order('10000001');
		await expectError(
			{ resource: 'delivery', operation: 'put', orderId: String(orderId), machineNo: '10000001', dispense: 'record', recordId: String(recordIds[0]) },
			null,
			/did not dispense.*订单未支付/,
			/not paid yet/,
		);
		expect((await client.record(recordIds[0])).dispense_count).toBe(0);
	});

	it('6034 record already dispensed (a copy of the execution, a retry): its state is reported, nothing is sent again', async () => {
		const { orderId, recordIds } = await client.paidOrder('10000002');
		const params = { resource: 'delivery', operation: 'put', orderId: String(orderId), machineNo: '10000002', dispense: 'record', recordId: String(recordIds[0]), waitForResult: true };
		expect((await run(params)).items[0].json.outcome).toBe('dispensed');
		const puts = async () => (await client.state()).requests['POST /deliveries'] ?? 0;
		const before = await puts();
		const again = await run(params);
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ outcome: 'dispensed', record_status: 'IS_SUCCESS', already_handled: true, note: expect.stringMatching(/already dispensed/) });
		expect(await puts()).toBe(before + 1); // the one refused command (6034), not re-sent
		expect((await client.record(recordIds[0])).dispense_count).toBe(1);
	});

	it('404 unknown delivery', async () => {
		await expectError({ resource: 'delivery', operation: 'get', machineNo: '10000001', deliveryId: '1234567890123456' }, 404, /not found/i, /delivery was not found/);
	});

	it('credential problems: 4006 wrong signing key, 4009 wrong secret, 10014 wrong app id', async () => {
		const params = { resource: 'order', operation: 'get', orderId: '1', machineNo: '10000001' };
		const wrongKey = await vendingRunner(client, { signingKey: 'not-the-key' })(params);
		expect(String(wrongKey.error?.message)).toMatch(/4006.*sign invalid/);
		expect(String(wrongKey.error?.description)).toMatch(/not the App Secret/);
		const wrongSecret = await vendingRunner(client, { appSecret: 'f'.repeat(40) })(params);
		expect(String(wrongSecret.error?.message)).toMatch(/4009/);
		expect(String(wrongSecret.error?.description)).toMatch(/App Secret is wrong/);
		const wrongId = await vendingRunner(client, { appId: 'ds0000000000000000' })(params);
		expect(String(wrongId.error?.message)).toMatch(/10014/);
	});

	it('continueOnFail puts the error on the item and keeps going', async () => {
		const { orderId } = await client.order('10000001');
		const result = await run({ resource: 'order', operation: 'get', orderId: '={{$json.orderId}}', machineNo: '10000001' }, [{ orderId: 999999 }, { orderId }], true);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(2);
		expect(result.items[0].json).toMatchObject({ error: expect.stringContaining('4004'), code: 4004, messageZh: '鼎商云错误码 4004：记录不存在' });
		expect(String(result.items[0].json.description)).toMatch(/^DingShang code 4004: [\x20-\x7e]+$/);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(result.items[1].json).toMatchObject({ order_id: orderId, status: 'NOTPAY' });
		expect(result.items[1].pairedItem).toEqual({ item: 1 });
	});
});
