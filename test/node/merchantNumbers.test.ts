import { SPECIAL_MACHINE } from '../../sandbox/model';
import type { Json } from '../helpers/sandboxClient';
import { apiRequestCount, sandboxForFile } from '../helpers/vending';

/**
 * Numbers as merchants have them, through n8n-core's engine against the sandbox: a special
 * merchant's 16-digit machine, trade ids of 1–32 visible characters (the vendor's own mini-program
 * sends Date.now(), 13 digits), and the same field errors as before for anything else.
 */

const sandbox = sandboxForFile();
const run = sandbox.run;
const apiRequests = () => apiRequestCount(sandbox.client());

const json = (result: { items: Array<{ json: Json }> }) => result.items.map((item) => item.json);
const oneWater = { product: [{ productId: '101', quantity: 1 }] };

describe(`the 16-digit machine ${SPECIAL_MACHINE}`, () => {
	it('Machine Get / Get Many, Product Get Many, and the whole sale: Create → Paid → Dispense (wait) → Dispensed', async () => {
		expect(json(await run({ resource: 'machine', operation: 'get', machineNo: SPECIAL_MACHINE }))[0]).toMatchObject({ machine_no: SPECIAL_MACHINE });
		expect(json(await run({ resource: 'machine', operation: 'getAll', returnAll: true })).map((m) => m.machine_no)).toContain(SPECIAL_MACHINE);
		expect(json(await run({ resource: 'product', operation: 'getAll', machineNo: { __rl: true, mode: 'id', value: SPECIAL_MACHINE }, returnAll: true })).map((p) => p.product_id)).toEqual([101, 102, 103]);

		const [order] = json(await run({ resource: 'order', operation: 'create', machineNo: SPECIAL_MACHINE, products: oneWater }));
		expect(order).toMatchObject({ order_id: expect.any(Number), machine_no: SPECIAL_MACHINE });
		const paid = await run({ resource: 'order', operation: 'update', orderId: String(order.order_id), machineNo: SPECIAL_MACHINE, status: 1 });
		expect(paid.error).toBeUndefined();
		const put = await run({ resource: 'delivery', operation: 'put', machineNo: SPECIAL_MACHINE, orderId: String(order.order_id), dispense: 'allPending', waitForResult: true });
		expect(put.error).toBeUndefined();
		expect(json(put)).toEqual([expect.objectContaining({ outcome: 'dispensed', machine_no: SPECIAL_MACHINE })]);
	});

	it('a 7-digit or lettered machine number is still refused before sending, naming the field', async () => {
		for (const bad of ['1000000', '1000000a']) {
			const before = await apiRequests();
			const result = await run({ resource: 'machine', operation: 'get', machineNo: bad });
			expect(result.error?.name).toBe('NodeOperationError');
			expect(String(result.error?.message)).toMatch(/Invalid "Machine No": expected the machine number: 8 or more digits/);
			expect(await apiRequests()).toBe(before);
		}
	});
});

describe('Trade ID as merchants have it', () => {
	it.each([
		['Date.now(), as the mini-program sends it', () => String(Date.now())],
		['a WeChat Pay out_trade_no style reference', () => `WX${Date.now()}-a_b`],
		['one character', () => 'Z'],
	])('%s: Create Order sends it and the order carries it', async (_name, make) => {
		const trade = make();
		const [order] = json(await run({ resource: 'order', operation: 'create', machineNo: '10000001', tradeId: trade, products: oneWater }));
		expect(order.trade_id).toBe(trade);
		const [read] = json(await run({ resource: 'order', operation: 'get', machineNo: '10000001', orderId: String(order.order_id) }));
		expect(read.trade_id).toBe(trade);
	});

	it('Consume takes a 13-digit trade id too', async () => {
		const [code] = json(await run({ resource: 'pickupCode', operation: 'create', machineNo: '10000001', productId: '102', count: 1, codeLength: 6 }));
		const trade = String(Date.now());
		const [order] = json(await run({ resource: 'pickupCode', operation: 'consume', machineNo: '10000001', code: String(code.code), productId: '102', tradeId: trade }));
		expect(order).toMatchObject({ outcome: 'consumed', trade_id: trade });
	});

	it.each([['x'.repeat(33)], ['with space'], ['订单123']])('%j is refused before sending, naming the field', async (bad) => {
		const before = await apiRequests();
		const result = await run({ resource: 'order', operation: 'create', machineNo: '10000001', tradeId: bad, products: oneWater });
		expect(String(result.error?.message)).toMatch(/Invalid "Trade ID": expected 1 to 32 visible ASCII characters/);
		expect(await apiRequests()).toBe(before);
	});
});
