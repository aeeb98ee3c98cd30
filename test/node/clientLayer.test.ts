import http from 'http';
import type { AddressInfo } from 'net';

import { clientRunner } from '../helpers/dingShangClient';
import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/**
 * The DingShang client layer (nodes/shared/dingshang) through n8n's engine over real HTTP: one
 * getOrder with records normalised once, one setOrderStatus that reads first, and one machine
 * queue that every dispense — the Dispense operation and the Unfinished Payments trigger's late
 * dispense — goes through.
 */

let client: SandboxClient;
let call: ReturnType<typeof clientRunner>;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox({ timeScale: 0.01 });
	call = clientRunner(client);
	run = vendingRunner(client);
});
afterAll(async () => client.sb.close());

type Json = Record<string, any>;

describe('getOrder', () => {
	it("returns the platform's order with every record's status", async () => {
		const order = await client.paidOrder('10000001', [
			{ product_id: 101, quantity: 1 },
			{ product_id: 102, quantity: 1 },
		]);
		const result = await call({ call: 'getOrder', machineNo: '10000001', orderId: order.orderId });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ order_id: order.orderId, status: 'SUCCESS' });
		expect((result.items[0].json.records as Json[]).map((r) => [r.id, r.status])).toEqual(order.recordIds.map((id) => [id, 'WAITING_PICKED_UP']));
	});

	it('a record without status (protobuf JSON leaves the zero value out) is WAITING_PICKED_UP, and no records is []', async () => {
		// A platform that answers exactly so (the sandbox always writes the status out).
		const platform = http.createServer((req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			const data = req.url?.endsWith('/orders/5') ? { order_id: 5, status: 'SUCCESS', records: [{ id: 8 }, { id: 9, status: 'IS_SUCCESS' }] } : { order_id: 6 };
			res.end(JSON.stringify({ code: 0, message: 'ok', data }));
		});
		await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
		try {
			const fake = clientRunner({ sb: { ...client.sb, baseUrl: `http://127.0.0.1:${(platform.address() as AddressInfo).port}` } } as SandboxClient);
			const five = await fake({ call: 'getOrder', machineNo: '10000001', orderId: 5 });
			expect(five.items[0].json.records).toEqual([
				{ id: 8, status: 'WAITING_PICKED_UP' },
				{ id: 9, status: 'IS_SUCCESS' },
			]);
			expect((await fake({ call: 'getOrder', machineNo: '10000001', orderId: 6 })).items[0].json).toEqual({ order_id: 6, records: [] });
		} finally {
			await new Promise((resolve) => platform.close(resolve));
		}
	});

	it('a refusal is an error with the platform code (unknown order)', async () => {
		const result = await call({ call: 'getOrder', machineNo: '10000001', orderId: 999999 });
		expect(result.error).toBeDefined();
		expect(String(result.error?.message)).toMatch(/DingShang error \d+/);
	});
});

describe('setOrderStatus', () => {
	it('reads first: sets a new status once, then reports changed: false with the previous status and sends nothing', async () => {
		const order = await client.order('10000002');
		const puts = async () => (await client.state()).requests['PUT /orders/{order_id}'] ?? 0;
		const before = await puts();
		const first = await call({ call: 'setOrderStatus', machineNo: '10000002', orderId: order.orderId, status: 1 });
		expect(first.items[0].json).toEqual({ changed: true, previous: 'NOTPAY', wanted: 'SUCCESS' });
		const again = await call({ call: 'setOrderStatus', machineNo: '10000002', orderId: order.orderId, status: 1 });
		expect(again.items[0].json).toEqual({ changed: false, previous: 'SUCCESS', wanted: 'SUCCESS' });
		expect((await puts()) - before).toBe(1);
		expect((await client.state()).orders.find((o: Json) => o.order_id === order.orderId).status).toBe('SUCCESS');
	});
});

describe('one machine queue for every dispense', () => {
	it("the recovery trigger's late dispense and a live Dispense meet one machine: never two commands at once", async () => {
		const live = await client.paidOrder('10000004');
		const late = await client.paidOrder('10000004');
		const puts = async () => (await client.state()).requests['POST /deliveries'] ?? 0;
		const before = await puts();
		const [dispense, recovery] = await Promise.all([
			run({ resource: 'delivery', operation: 'put', machineNo: '10000004', orderId: String(live.orderId), dispense: 'allPending', waitForResult: true }),
			call({ call: 'finishPayment', machineNo: '10000004', orderId: late.orderId, paidMinutesAgo: 1 }),
		]);
		expect(dispense.items[0].json.outcome).toBe('dispensed');
		expect(recovery.items[0].json).toMatchObject({ outcome: 'dispensed_late' });
		// The machine refuses a command while it dispenses; a refusal would have cost a retry.
		expect((await puts()) - before).toBe(2);
		expect((await client.record(live.recordIds[0])).dispense_count).toBe(1);
		expect((await client.record(late.recordIds[0])).dispense_count).toBe(1);
	});

	it('without the queue the two would collide: two commands sent at once are refused as busy (the sandbox enforces the lock)', async () => {
		const a = await client.paidOrder('10000005');
		const b = await client.paidOrder('10000005');
		const [first, second] = await Promise.all([client.putDelivery('10000005', a.orderId, a.recordIds[0]), client.putDelivery('10000005', b.orderId, b.recordIds[0])]);
		expect([first.data.code, second.data.code].filter((code) => code !== 0)).toHaveLength(1);
	});

	it('a payment older than the Dispense Window is set to Refund and handed on as Refund Due (no dispense)', async () => {
		const order = await client.paidOrder('10000003');
		const result = await call({ call: 'finishPayment', machineNo: '10000003', orderId: order.orderId, paidMinutesAgo: 10 });
		expect(result.items[0].json).toMatchObject({
			outcome: 'refund_due',
			item: { outcome: 'refund_due', refund_key: `dsr-${order.orderId}-${order.recordIds[0]}`, refund_amount: 3.5, total_amount: 3.5 },
		});
		expect(String((result.items[0].json.item as Json).message)).toMatch(/refund 3.5 yuan with refund_key dsr-/);
		expect((await client.state()).orders.find((o: Json) => o.order_id === order.orderId).status).toBe('REFUND');
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(0);
	});
});
