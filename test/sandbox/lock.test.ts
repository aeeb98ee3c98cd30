import { MACHINE_BUSY_CODE } from '../../nodes/shared/dingshang/protocol';
import { openSandbox, type Json, type SandboxClient } from '../helpers/sandboxClient';

/** Time scale 1 so nothing moves unless the test pushes the virtual clock. */
let c: SandboxClient;
beforeAll(async () => {
	c = await openSandbox({ timeScale: 1 });
});
afterAll(() => c.sb.close());

const locked = async (no: string): Promise<boolean> => (await c.state()).machines.find((m: Json) => m.machine_no === no).locked;

it('refuses a second command while dispensing and accepts it once the dispense ends', async () => {
	const { orderId, recordIds } = await c.paidOrder('10000002', [
		{ product_id: 101, quantity: 1 },
		{ product_id: 102, quantity: 1 },
	]);
	expect((await c.putDelivery('10000002', orderId, recordIds[0])).data.code).toBe(0);
	expect(await locked('10000002')).toBe(true);
	expect((await c.putDelivery('10000002', orderId, recordIds[1])).data.code).toBe(MACHINE_BUSY_CODE);
	await c.advance(1); // a dispense takes 0.5–1 s
	expect((await c.record(recordIds[0])).status).toBe('IS_SUCCESS');
	expect(await locked('10000002')).toBe(false);
	expect((await c.putDelivery('10000002', orderId, recordIds[1])).data.code).toBe(0);
	await c.advance(1);
	expect((await c.record(recordIds[1])).status).toBe('IS_SUCCESS');
});

it.each([
	['10000001', 15],
	['10000002', 30],
	['10000003', 90],
	['10000004', 45],
	['10000005', 45],
])('machine %s without a report stays locked for its dwell of %i s', async (machineNo, dwell) => {
	await c.fault({ kind: 'deviceSilent', machineNo });
	const { orderId, recordIds } = await c.paidOrder(machineNo, [
		{ product_id: 101, quantity: 1 },
		{ product_id: 102, quantity: 1 },
	]);
	expect((await c.putDelivery(machineNo, orderId, recordIds[0])).data.code).toBe(0);
	await c.advance(dwell - 1);
	expect(await locked(machineNo)).toBe(true);
	expect((await c.putDelivery(machineNo, orderId, recordIds[1])).data.code).toBe(MACHINE_BUSY_CODE);
	await c.advance(2);
	expect(await locked(machineNo)).toBe(false);
	expect((await c.record(recordIds[0])).status).toBe('IS_DELIVERING');
	expect((await c.putDelivery(machineNo, orderId, recordIds[1])).data.code).toBe(0);
	await c.advance(120);
	expect((await c.record(recordIds[0])).status).toBe('IS_TIMEOUT');
	expect((await c.record(recordIds[1])).status).toBe('IS_SUCCESS');
});

describe('POST /__sandbox/machines', () => {
	it('adds a machine of a given type: its dwell follows the type, its dispense time is recorded', async () => {
		const added = await c.addMachine('20000001', 'conveyor', 7);
		expect(added).toEqual({ machine_no: '20000001', type: 'conveyor', dwell_seconds: 90, online: true });
		expect(await c.stock('20000001', 101)).toBe(7);
		const { orderId, recordIds } = await c.paidOrder('20000001');
		const put = await c.putDelivery('20000001', orderId, recordIds[0]);
		expect(put.data.code).toBe(0);
		await c.advance(1);
		const delivery = (await c.state()).deliveries.find((d: Json) => d.delivery_id === put.data.data.delivery_id);
		expect(delivery.dispense_ms).toBeGreaterThanOrEqual(500);
		expect(delivery.dispense_ms).toBeLessThanOrEqual(1000);
	});

	it.each([
		[{ machine_no: '123', type: 'motor' }, 'machine_no'],
		[{ machine_no: '20000002', type: 'robot' }, 'type must be one of'],
		[{ machine_no: '20000002', type: 'motor', stock: -1 }, 'stock'],
	])('refuses %j naming the field', async (body, words) => {
		const answer = await c.http.post('/__sandbox/machines', body);
		expect(answer.status).toBe(400);
		expect(answer.data.error).toContain(words);
	});
});
