import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';
import { REQUEST_LANES } from '../../nodes/shared/common/items';
import { OUTPUTS_EXPRESSION } from '../../nodes/DingShangVending/actions/delivery';
import { DingShangVending } from '../../nodes/DingShangVending/DingShangVending.node';
import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { runNode } from '../helpers/n8n/engine';

/**
 * Put Delivery under the conditions a merchant meets: busy machines, several machines at once,
 * failures, silence, and lost answers — with the sandbox's per-record dispense_count as the proof
 * that nothing is dispensed twice.
 */

let client: SandboxClient;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox({ timeScale: 0.01 });
	run = vendingRunner(client);
});
afterAll(async () => client.sb.close());

type Json = Record<string, any>;
const put = (machineNo: string, orderId: number | string, extra: Json = {}) => ({
	resource: 'delivery',
	operation: 'put',
	machineNo,
	orderId: String(orderId),
	dispense: 'allPending',
	waitForResult: true,
	...extra,
});

async function deliveriesOf(recordIds: number[]): Promise<Json[]> {
	const state = await client.state();
	return state.deliveries.filter((d: Json) => recordIds.includes(d.record_id));
}

describe('machine lock', () => {
	it('busy then free: the second item waits for the machine and is dispensed once', async () => {
		const a = await client.paidOrder('10000001');
		const b = await client.paidOrder('10000001');
		// The first dispense never reports: the machine stays locked for its dwell (15 s × 0.01).
		await client.fault({ kind: 'deviceSilent', machineNo: '10000001' });
		const before = (await client.state()).requests['POST /deliveries'] ?? 0;
		const result = await run(put('10000001', '={{$json.orderId}}', { waitForResult: false }), [{ orderId: a.orderId }, { orderId: b.orderId }]);
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json.outcome)).toEqual(['sent', 'sent']);
		const putRequests = (await client.state()).requests['POST /deliveries'] - before;
		expect(putRequests).toBeGreaterThan(2); // at least one refusal "machine is dispensing" was retried
		expect((await client.record(a.recordIds[0])).dispense_count).toBe(1);
		expect((await client.record(b.recordIds[0])).dispense_count).toBe(1);
	});

	it('gives up after Max Wait for Machine with an explanation, nothing dispensed', async () => {
		const a = await client.paidOrder('10000003');
		const b = await client.paidOrder('10000003');
		await client.fault({ kind: 'deviceSilent', machineNo: '10000003' }); // conveyor: 90 s × 0.01 lock
		await run(put('10000003', a.orderId, { waitForResult: false }));
		const result = await run(put('10000003', b.orderId, { waitForResult: false, maxWaitSeconds: 0.2 }));
		expect(String(result.error?.message)).toMatch(/Machine 10000003 was still dispensing after waiting 0.2 s/);
		expect(String(result.error?.description)).toMatch(/still dispensing a previous item/);
		expect((await client.record(b.recordIds[0])).dispense_count).toBe(0);
	});
});

describe('ordering and concurrency', () => {
	it('dispenses all 3 records of an order one after another, in record order', async () => {
		const order = await client.paidOrder('10000002', [
			{ product_id: 101, quantity: 1 },
			{ product_id: 102, quantity: 1 },
			{ product_id: 103, quantity: 1 },
		]);
		const result = await run(put('10000002', order.orderId));
		expect(result.items.map((i) => i.json.record_id)).toEqual(order.recordIds);
		expect(result.items.map((i) => i.json.outcome)).toEqual(['dispensed', 'dispensed', 'dispensed']);
		const deliveries = await deliveriesOf(order.recordIds);
		expect(deliveries.map((d) => d.record_id)).toEqual(order.recordIds);
		for (const id of order.recordIds) expect((await client.record(id)).dispense_count).toBe(1);
	});

	it('20 items over 5 machines: machines in parallel, each machine in item order', async () => {
		const machines = ['10000001', '10000002', '10000003', '10000004', '10000005'];
		const items: Json[] = [];
		for (let round = 0; round < 4; round++) {
			for (const machineNo of machines) {
				const { orderId, recordIds } = await client.paidOrder(machineNo);
				items.push({ machineNo, orderId, recordId: recordIds[0] });
			}
		}
		const startIndex = (await client.state()).deliveries.length;
		const result = await run(put('={{$json.machineNo}}', '={{$json.orderId}}', { waitForResult: true }), items);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(20);
		result.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({ machine_no: items[i].machineNo, record_id: items[i].recordId, outcome: 'dispensed' });
		});
		const deliveries: Json[] = (await client.state()).deliveries.slice(startIndex);
		expect(deliveries).toHaveLength(20);
		for (const machineNo of machines) {
			const expected = items.filter((i) => i.machineNo === machineNo).map((i) => i.recordId);
			expect(deliveries.filter((d) => d.machine_no === machineNo).map((d) => d.record_id)).toEqual(expected);
		}
		// Machines ran side by side: the platform saw machines interleaved, not five blocks in a row.
		const switches = deliveries.filter((d, i) => i > 0 && d.machine_no !== deliveries[i - 1].machine_no).length;
		expect(switches).toBeGreaterThan(machines.length - 1);
		for (const item of items) expect((await client.record(item.recordId)).dispense_count).toBe(1);
	});
});

describe('two executions at once (two payments for one machine)', () => {
	it('never have two commands in flight for one machine: no busy refusal at all', async () => {
		const a = await client.paidOrder('10000004');
		const b = await client.paidOrder('10000004');
		const puts = async () => (await client.state()).requests['POST /deliveries'] ?? 0;
		const before = await puts();
		const [ra, rb] = await Promise.all([run(put('10000004', a.orderId)), run(put('10000004', b.orderId))]);
		expect([ra.items[0].json.outcome, rb.items[0].json.outcome]).toEqual(['dispensed', 'dispensed']);
		expect((await puts()) - before).toBe(2); // a busy refusal would have cost a retry
	});
});

describe('wait for result', () => {
	/** A failed or timed-out dispense leaves on the "Not Dispensed" output (the default), alone. */
	const notDispensed = (result: { outputs: Array<Array<{ json: Record<string, unknown> }>> }) => {
		expect(result.outputs).toHaveLength(2);
		expect(result.outputs[0]).toHaveLength(0);
		expect(result.outputs[1]).toHaveLength(1);
		return result.outputs[1][0].json;
	};

	it.each([
		['stuck product', '2', 'Goods are Stuck', /product is stuck/, /卡货/],
		['motor fault', '3', 'Over Current', /short-circuit/, /电机短路/],
	])('%s → outcome failed with the reason in English and 中文', async (_name, floorStatus, errorMsg, reason, reasonZh) => {
		const order = await client.paidOrder('10000004');
		await client.fault({ kind: 'deliveryFail', machineNo: '10000004', floorStatus, errorMsg });
		const result = await run(put('10000004', order.orderId));
		expect(result.error).toBeUndefined();
		expect(notDispensed(result)).toMatchObject({ outcome: 'failed', status: '出货失败', statusEn: 'Dispense failed', fail_reason: errorMsg });
		// The same key the trigger gives this record's failure callback: one refund, whoever asks.
		expect(notDispensed(result).refund_key).toBe(`dsr-${order.orderId}-${order.recordIds[0]}`);
		expect(notDispensed(result).deliveredAtIso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
		// Get Delivery has no floor status, so the explanation comes from the fail reason alone.
		expect(String(notDispensed(result).reason)).toMatch(reason);
		expect(String(notDispensed(result).reasonZh)).toMatch(reasonZh);
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(1);
	});

	it('machine never reports → outcome timeout after the platform resets the dispense', async () => {
		const order = await client.paidOrder('10000001');
		await client.fault({ kind: 'deviceSilent', machineNo: '10000001' });
		const result = await run(put('10000001', order.orderId));
		expect(notDispensed(result)).toMatchObject({ outcome: 'timeout', status: '出货超时', refund_key: `dsr-${order.orderId}-${order.recordIds[0]}` });
		expect(String(notDispensed(result).reason)).toMatch(/did not report a result within 120 seconds/);
		expect((await client.record(order.recordIds[0])).status).toBe('IS_TIMEOUT');
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(1);
	});

	it('our own Result Timeout ends the wait with outcome timeout and a reason', async () => {
		const order = await client.paidOrder('10000002');
		await client.fault({ kind: 'deviceSilent', machineNo: '10000002' });
		const result = await run(put('10000002', order.orderId, { options: { resultTimeoutSeconds: 0.3 } }));
		expect(notDispensed(result)).toMatchObject({ outcome: 'timeout' });
		expect(String(notDispensed(result).reason)).toMatch(/No final result within 0.3 s/);
	});
});

describe('lost answers never cause a double dispense', () => {
	const kinds = ['http500', 'html', 'malformedJson', 'reset', 'delay'] as const;
	for (const kind of kinds) {
		for (const when of ['before', 'after'] as const) {
			it(`${kind} ${when} processing → dispensed exactly once`, async () => {
				const order = await client.paidOrder('10000005');
				await client.fault({
					kind,
					when,
					ms: kind === 'delay' ? 1500 : undefined,
					match: { method: 'POST', path: '/api/openapi/v1/deliveries' },
				});
				const result = await run(put('10000005', order.orderId, { options: { requestTimeoutSeconds: 1 } }));
				expect(result.error).toBeUndefined();
				const item = result.items[0].json;
				expect(item.outcome).toBe('dispensed');
				if (when === 'after') {
					// The platform executed the command but its answer was lost: read back, not re-sent.
					expect(item.answer_lost).toBe(true);
					expect(item.record_status).toEqual(expect.stringMatching(/IS_DELIVERING|IS_SUCCESS/));
				}
				// A delayed original may still be on its way to the platform: let it land before counting.
				if (kind === 'delay' && when === 'before') await new Promise((resolve) => setTimeout(resolve, 1000));
				expect((await client.record(order.recordIds[0])).dispense_count).toBe(1);
			});
		}
	}

	it('when the order cannot be read back either, the command is not re-sent and the error says so', async () => {
		const order = await client.paidOrder('10000004');
		await client.fault({ kind: 'reset', when: 'after', match: { method: 'POST', path: '/api/openapi/v1/deliveries' } });
		await client.fault({ kind: 'http500', count: 5, match: { method: 'POST', path: `/api/openapi/v1/orders/${order.orderId}` } });
		const result = await run(put('10000004', order.orderId, { dispense: 'record', recordId: String(order.recordIds[0]) }));
		expect(String(result.error?.message)).toMatch(/NOT sent again: check machine 10000004 and order/);
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(1);
	});

	it('reads retry through transient faults (Get Order behind two 500s)', async () => {
		const order = await client.order('10000001');
		await client.fault({ kind: 'http500', count: 2, match: { method: 'POST', path: `/api/openapi/v1/orders/${order.orderId}` } });
		const result = await run({ resource: 'order', operation: 'get', orderId: String(order.orderId), machineNo: '10000001' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.order_id).toBe(order.orderId);
	});

	it('Update Order whose answer is lost is confirmed by reading the order, not repeated blindly', async () => {
		const order = await client.order('10000002');
		const puts = async () => (await client.state()).requests['PUT /orders/{order_id}'] ?? 0;
		const before = await puts();
		await client.fault({ kind: 'reset', when: 'after', match: { method: 'PUT', path: `/api/openapi/v1/orders/${order.orderId}` } });
		const result = await run({ resource: 'order', operation: 'update', orderId: String(order.orderId), machineNo: '10000002', status: 1 });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ updated: true, order_status: 'SUCCESS' });
		expect((await puts()) - before).toBe(1);
	});
});

describe('a failure without "continue on fail"', () => {
	it('stops every machine before its next item (no more commands after the node has failed)', async () => {
		const bad = await client.order('10000001'); // unpaid: the platform refuses the dispense
		const slow = await client.paidOrder('10000002');
		const later = await client.paidOrder('10000002');
		const result = await run(put('={{$json.machineNo}}', '={{$json.orderId}}'), [
			{ machineNo: '10000001', orderId: bad.orderId },
			{ machineNo: '10000002', orderId: slow.orderId },
			{ machineNo: '10000002', orderId: later.orderId },
		]);
		expect(String(result.error?.message)).toMatch(/订单未支付/);
		expect((await client.record(slow.recordIds[0])).dispense_count).toBe(1); // was already in progress
		expect((await client.record(later.recordIds[0])).dispense_count).toBe(0); // never started
	});
});

/** How many requests the node keeps in flight, seen from the sandbox's `in_flight.peak`. */
describe('request lanes', () => {
	it(`Update Order × 40 on one machine runs ${REQUEST_LANES} requests at a time, never more`, async () => {
		const orders: Json[] = [];
		await client.http.post('/__sandbox/reset'); // in_flight.peak counts from here
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
		// 500 ms: long enough that the six overlap even when a loaded machine starts the lanes slowly.
		await client.fault({ kind: 'delay', ms: 500, count: 6, match: { path: '/api/openapi/v1/deliveries' } });
		const result = await run(
			{ resource: 'delivery', operation: 'put', machineNo: '={{$json.machineNo}}', orderId: '={{$json.orderId}}', dispense: 'allPending', waitForResult: false },
			items,
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.outcome)).toEqual(machines.map(() => 'sent'));
		expect((await client.state()).in_flight.peak).toBeGreaterThanOrEqual(machines.length);
	});
});

describe('Route by Outcome: two outputs, the refund branch hangs off the node', () => {
	it('one order with a failed and a dispensed record: "Dispensed" gets one item, "Not Dispensed" the other', async () => {
		const order = await client.paidOrder('10000003', [{ product_id: 101, quantity: 1 }, { product_id: 102, quantity: 1 }]);
		await client.fault({ kind: 'deliveryFail', machineNo: '10000003', floorStatus: '2', errorMsg: 'Goods are Stuck' });
		const result = await run(put('10000003', order.orderId));
		expect(result.outputs.map((output) => output.map((item) => item.json.outcome))).toEqual([['dispensed'], ['failed']]);
		// Each item stays paired with the input item it came from.
		expect(result.outputs.flat().map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	});

	it('with On Error → Continue, an item that failed to dispense goes to "Not Dispensed" with its error', async () => {
		const unpaid = await client.order('10000003');
		const paid = await client.paidOrder('10000003');
		const result = await run({ resource: 'delivery', operation: 'put', dispense: 'allPending', waitForResult: true, machineNo: '={{ $json.machineNo }}', orderId: '={{ $json.orderId }}' }, [
			{ machineNo: '10000003', orderId: unpaid.orderId },
			{ machineNo: '10000003', orderId: paid.orderId },
		], true);
		expect(result.outputs[0].map((item) => item.json.outcome)).toEqual(['dispensed']);
		expect(result.outputs[1]).toHaveLength(1);
		expect(String(result.outputs[1][0].json.error)).toMatch(/6054|not paid|未支付/);
	});

	it('turned off, or a version-1 node (saved workflows), keeps one output with every outcome', async () => {
		for (const extra of [{ routeByOutcome: false }, {}]) {
			const order = await client.paidOrder('10000003');
			await client.fault({ kind: 'deliveryFail', machineNo: '10000003', floorStatus: '3', errorMsg: 'Over Current' });
			const result = await runNode({
				nodeTypes: { dingShangVending: new DingShangVending() },
				credentialTypes: { dingShangApi: new DingShangApi() },
				credentials: { dingShangApi: { baseUrl: client.sb.baseUrl, appId: client.sb.appId, appSecret: client.sb.appSecret, signingKey: client.sb.signKey } },
				type: 'dingShangVending',
				typeVersion: 'routeByOutcome' in extra ? 1.1 : 1,
				parameters: { ...put('10000003', order.orderId), ...extra },
			});
			expect(result.outputs).toHaveLength(1);
			expect(result.items.map((item) => item.json.outcome)).toEqual(['failed']);
			// What the merchant branches on comes first in the output (n8n shows fields in this order).
			expect(Object.keys(result.items[0].json).slice(0, 4)).toEqual(['outcome', 'refund_key', 'reason', 'reasonZh']);
			expect(result.items[0].json.refund_key).toMatch(/\d/);
		}
	});

	it('a dispensed item starts with outcome and refund_key too (no empty reason fields)', async () => {
		const order = await client.paidOrder('10000004');
		const result = await run(put('10000004', order.orderId));
		expect(Object.keys(result.items[0].json).slice(0, 3)).toEqual(['outcome', 'refund_key', 'machine_no']);
		expect(result.items[0].json).toMatchObject({ outcome: 'dispensed', refund_key: null });
		expect(result.items[0].json).not.toHaveProperty('reason');
	});

	it('the editor is told the outputs by the same rule (two named outputs only for Dispense with Wait for Result)', () => {
		const { outputs } = new DingShangVending().description;
		expect(outputs).toBe(OUTPUTS_EXPRESSION);
		expect(OUTPUTS_EXPRESSION).toContain('displayName: "Dispensed"');
		expect(OUTPUTS_EXPRESSION).toContain('displayName: "Not Dispensed"');
		expect(OUTPUTS_EXPRESSION).toMatch(/waitForResult !== false && \$parameter\.routeByOutcome === true/);
	});
});
