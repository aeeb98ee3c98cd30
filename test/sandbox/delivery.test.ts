import { API_PREFIX, MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE } from '../../nodes/shared/dingshang/protocol';
import { DELIVERY_STATUS_TEXT } from '../../sandbox';
import { openSandbox, waitFor, type Json, type SandboxClient } from '../helpers/sandboxClient';

let c: SandboxClient;
beforeAll(async () => {
	c = await openSandbox(); // time scale 0.01: a dispense ends in 5–10 ms, 120 s is 1.2 s
});
afterAll(() => c.sb.close());

const machineState = async (no: string): Promise<Json> => (await c.state()).machines.find((m: Json) => m.machine_no === no);

describe('put delivery refusals', () => {
	it('answers an unpaid order exactly like seed 003: code 0, "订单未支付", empty data', async () => {
		const { orderId, recordIds } = await c.order('10000002');
		const res = await c.putDelivery('10000002', orderId, recordIds[0]);
		expect(res.status).toBe(200);
		expect(res.data).toEqual({ code: 0, message: '订单未支付', data: {} });
		expect((await c.record(recordIds[0])).dispense_count).toBe(0);
	});

	it('refuses a wrong method with 6021 and bad ids with 4003', async () => {
		const { orderId, recordIds } = await c.paidOrder('10000002');
		const wrong = await c.signed('POST', '/deliveries', { machine_no: '10000002', method: 'device.delivery.get', order_id: String(orderId), record_id: String(recordIds[0]) });
		expect(wrong.data.code).toBe(6021);
		const noMethod = await c.signed('POST', '/deliveries', { machine_no: '10000002', order_id: String(orderId), record_id: String(recordIds[0]) });
		expect(noMethod.data.code).toBe(6021);
		const noRecord = await c.signed('POST', '/deliveries', { machine_no: '10000002', method: 'device.delivery.put', order_id: String(orderId) });
		expect(noRecord.data).toMatchObject({ code: 4003, message: expect.stringContaining('record_id') });
		expect((await c.record(recordIds[0])).dispense_count).toBe(0);
	});

	it('answers 4004 for an order of another machine or a record of another order', async () => {
		const a = await c.paidOrder('10000002');
		const b = await c.paidOrder('10000002');
		expect((await c.putDelivery('10000001', a.orderId, a.recordIds[0])).data).toMatchObject({ code: 4004 });
		expect((await c.putDelivery('10000002', a.orderId, b.recordIds[0])).data).toMatchObject({ code: 4004, message: 'record not found' });
		expect((await c.putDelivery('10000002', 987654, a.recordIds[0])).data.code).toBe(4004);
	});

	it('answers 4008 for the offline machine', async () => {
		expect((await c.putDelivery('10000009', 1000, 5000)).data).toMatchObject({ code: 4008, message: 'machine offline' });
	});
});

describe('a dispense', () => {
	it('succeeds: delivery answer, record IS_SUCCESS, get delivery, never twice (6034)', async () => {
		const { orderId, recordIds } = await c.paidOrder('10000002');
		const res = await c.putDelivery('10000002', orderId, recordIds[0]);
		expect(res.data.code).toBe(0);
		const delivery = res.data.data;
		expect(delivery.delivery_id).toMatch(/^\d{16}$/);
		expect(delivery.delivered_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		expect(delivery.status).toBe(DELIVERY_STATUS_TEXT.delivering);
		expect(delivery).not.toHaveProperty('pickup_at');
		expect(Object.keys(delivery).sort()).toEqual(['delivered_at', 'delivery_id', 'status']);

		const record = await c.waitRecord(recordIds[0], 'IS_SUCCESS');
		expect(record).toMatchObject({ dispense_count: 1, dropped: 1 });
		expect((await machineState('10000002')).locked).toBe(false);

		const got = await c.getDelivery('10000002', delivery.delivery_id);
		expect(got.data.code).toBe(0);
		expect(got.data.data).toEqual({ delivered_at: delivery.delivered_at, status: DELIVERY_STATUS_TEXT.success, pickup_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) });

		const again = await c.putDelivery('10000002', orderId, recordIds[0]);
		expect(again.data).toMatchObject({ code: 6034, message: 'order already delivered' });
		expect((await c.record(recordIds[0])).dispense_count).toBe(1);
		const order = await c.signed('POST', `/orders/${orderId}`, { machine_no: '10000002' });
		expect(order.data.data.records[0].status).toBe('IS_SUCCESS');
	});

	it('drops quantity items at once on the drink machine, one elsewhere', async () => {
		const drink = await c.paidOrder('10000005', [{ product_id: 102, quantity: 3 }]);
		expect((await c.putDelivery('10000005', drink.orderId, drink.recordIds[0])).data.code).toBe(0);
		expect(await c.waitRecord(drink.recordIds[0], 'IS_SUCCESS')).toMatchObject({ quantity: 3, dropped: 3 });
		const motor = await c.paidOrder('10000004', [{ product_id: 102, quantity: 3 }]);
		expect((await c.putDelivery('10000004', motor.orderId, motor.recordIds[0])).data.code).toBe(0);
		expect(await c.waitRecord(motor.recordIds[0], 'IS_SUCCESS')).toMatchObject({ quantity: 3, dropped: 1 });
	});

	it('get delivery: unknown id or another machine → HTTP 200 code 404', async () => {
		const unknown = await c.getDelivery('10000002', '1234567890123456');
		expect(unknown.status).toBe(200);
		expect(unknown.data).toEqual({ code: 404, message: 'delivery not found', data: {} });
		const { orderId, recordIds } = await c.paidOrder('10000004');
		const put = await c.putDelivery('10000004', orderId, recordIds[0]);
		expect((await c.getDelivery('10000001', put.data.data.delivery_id)).data.code).toBe(404);
		expect((await c.getDelivery('10000004', put.data.data.delivery_id)).data.code).toBe(0);
	});

	it('fails on a deliveryFail fault: IS_FAILED, reason kept, machine free at once', async () => {
		await c.fault({ kind: 'deliveryFail', machineNo: '10000003', floorStatus: '3', errorMsg: 'Slave Comm Error' });
		const { orderId, recordIds } = await c.paidOrder('10000003', [
			{ product_id: 101, quantity: 1 },
			{ product_id: 102, quantity: 1 },
		]);
		const put = await c.putDelivery('10000003', orderId, recordIds[0]);
		expect(put.data.code).toBe(0);
		await c.waitRecord(recordIds[0], 'IS_FAILED');
		const got = await c.getDelivery('10000003', put.data.data.delivery_id);
		expect(got.data.data).toEqual({ delivered_at: put.data.data.delivered_at, status: DELIVERY_STATUS_TEXT.failed, fail_reason: 'Slave Comm Error' });
		// conveyor dwell is 90 s (0.9 s real): the failure cleared the lock long before that
		expect((await machineState('10000003')).locked).toBe(false);
		expect((await c.putDelivery('10000003', orderId, recordIds[1])).data.code).toBe(0);
		await c.waitRecord(recordIds[1], 'IS_SUCCESS');
		// a failed record is not dispensed again
		expect((await c.putDelivery('10000003', orderId, recordIds[0])).data.code).toBe(6034);
	});

	it('deviceSilent: busy until the dwell ends, then IS_TIMEOUT 120 s after the command', async () => {
		await c.fault({ kind: 'deviceSilent', machineNo: '10000002' });
		const { orderId, recordIds } = await c.paidOrder('10000002', [
			{ product_id: 101, quantity: 1 },
			{ product_id: 103, quantity: 1 },
		]);
		const put = await c.putDelivery('10000002', orderId, recordIds[0]);
		expect(put.data.code).toBe(0);
		const busy = await c.putDelivery('10000002', orderId, recordIds[1]);
		expect(busy.status).toBe(200);
		expect(busy.data).toEqual({ code: MACHINE_BUSY_CODE, message: MACHINE_BUSY_MESSAGE, data: {} });
		expect((await c.record(recordIds[1])).dispense_count).toBe(0);
		expect((await machineState('10000002')).locked_until).toEqual(expect.any(String));

		// motor dwell: 30 s virtual = 300 ms real; the 120 s timeout comes at 1.2 s
		await waitFor(async () => !(await machineState('10000002')).locked, 2000);
		expect((await c.record(recordIds[0])).status).toBe('IS_DELIVERING');
		expect((await c.putDelivery('10000002', orderId, recordIds[1])).data.code).toBe(0);

		await c.advance(120);
		const timedOut = await c.waitRecord(recordIds[0], 'IS_TIMEOUT');
		expect(timedOut.dispense_count).toBe(1);
		const got = await c.getDelivery('10000002', put.data.data.delivery_id);
		expect(got.data.data).toMatchObject({ status: DELIVERY_STATUS_TEXT.timeout, fail_reason: 'timeout' });
		expect(got.data.data).not.toHaveProperty('pickup_at');
	});
});

describe('order expiry (20 virtual minutes)', () => {
	it('closes an unpaid order, returns stock, refuses delivery and update with 6042', async () => {
		const fresh = await openSandbox({ timeScale: 1 });
		try {
			const { orderId, recordIds } = await fresh.order('10000004', [{ product_id: 103, quantity: 7 }]);
			const paid = await fresh.paidOrder('10000004', [{ product_id: 103, quantity: 1 }]);
			expect(await fresh.stock('10000004', 103)).toBe(92);
			await fresh.advance(19 * 60);
			expect((await fresh.signed('POST', `/orders/${orderId}`, { machine_no: '10000004' })).data.data.status).toBe('NOTPAY');
			const clock = await fresh.advance(61);
			expect(clock.now).toEqual(expect.any(String));
			const got = await fresh.signed('POST', `/orders/${orderId}`, { machine_no: '10000004' });
			expect(got.data.data.status).toBe('CLOSED');
			expect(await fresh.stock('10000004', 103)).toBe(99);
			expect((await fresh.setStatus('10000004', orderId, 1)).data).toMatchObject({ code: 6042, message: 'order expired' });
			expect((await fresh.putDelivery('10000004', orderId, recordIds[0])).data.code).toBe(6042);
			// the paid order does not expire and still dispenses
			expect((await fresh.putDelivery('10000004', paid.orderId, paid.recordIds[0])).data.code).toBe(0);
			const state = await fresh.state();
			expect(state.orders.find((o: Json) => o.order_id === orderId)).toMatchObject({ status: 'CLOSED', expired: true });
		} finally {
			await fresh.sb.close();
		}
	});
});

describe('through the raw API prefix', () => {
	it('keeps a trailing slash working', async () => {
		const res = await c.http.post(`${API_PREFIX}/ping/`);
		expect(res.data.data).toBe('pong');
	});
});
