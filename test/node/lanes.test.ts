import { REQUEST_LANES } from '../../nodes/DingShangVending/actions/runItems';
import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/**
 * How many requests the node keeps in flight, seen from the sandbox's `in_flight.peak`: order
 * calls share REQUEST_LANES, dispenses get one lane per machine.
 */

let client: SandboxClient;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox({ timeScale: 0.01 });
	run = vendingRunner(client);
});
afterAll(async () => client.sb.close());

type Json = Record<string, any>;

describe('request lanes', () => {
	it(`Update Order × 40 on one machine runs ${REQUEST_LANES} requests at a time, never more`, async () => {
		const orders: Json[] = [];
		for (let i = 0; i < 40; i++) orders.push({ orderId: (await client.order('10000002')).orderId });
		// Each request sits 100 ms in the sandbox, so requests in flight overlap and are counted.
		await client.fault({ kind: 'delay', ms: 100, count: 40, match: { method: 'PUT' } });
		expect((await client.state()).in_flight.peak).toBeLessThan(REQUEST_LANES);
		const result = await run({ resource: 'order', operation: 'update', orderId: '={{$json.orderId}}', machineNo: '10000002', status: 1 }, orders);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.order_id)).toEqual(orders.map((o) => o.orderId));
		expect((await client.state()).in_flight.peak).toBe(REQUEST_LANES);
	});

	it('Put Delivery runs one lane per machine: 6 machines dispense side by side', async () => {
		const machines = ['10000001', '10000002', '10000003', '10000004', '10000005', '20000006'];
		await client.http.post('/__sandbox/reset');
		await client.addMachine('20000006', 'motor');
		const items: Json[] = [];
		for (const machineNo of machines) items.push({ machineNo, orderId: (await client.paidOrder(machineNo)).orderId });
		expect((await client.state()).in_flight.peak).toBe(1);
		await client.fault({ kind: 'delay', ms: 150, count: 6, match: { path: '/api/openapi/v1/deliveries' } });
		const result = await run(
			{ resource: 'delivery', operation: 'put', machineNo: '={{$json.machineNo}}', orderId: '={{$json.orderId}}', dispense: 'allPending', waitForResult: false },
			items,
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.outcome)).toEqual(machines.map(() => 'sent'));
		expect((await client.state()).in_flight.peak).toBeGreaterThanOrEqual(machines.length);
	});
});
