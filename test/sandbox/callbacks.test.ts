import { CALLBACK_METHOD } from '../../nodes/shared/dingshang/protocol';
import { openSandbox, Receiver, waitFor, type Json, type SandboxClient } from '../helpers/sandboxClient';

let c: SandboxClient;
let rx: Receiver;
beforeAll(async () => {
	c = await openSandbox(); // scale 0.01: retry backoff 1 s, 2 s, 4 s → 10, 20, 40 ms
	rx = await new Receiver().start();
});
afterAll(async () => {
	await c.sb.close();
	await rx.close();
});

const callbacksTo = async (url: string): Promise<Json[]> => (await c.state()).callbacks.filter((cb: Json) => cb.url === url);

/** Pays an order with one record for `url`, dispenses it, and returns ids. */
async function dispense(machineNo: string, url: string): Promise<{ orderId: number; recordId: number }> {
	const { orderId, recordIds } = await c.paidOrder(machineNo, [{ product_id: 101, quantity: 1 }], url);
	const put = await c.putDelivery(machineNo, orderId, recordIds[0]);
	expect(put.data.code).toBe(0);
	return { orderId, recordId: recordIds[0] };
}

it('pushes the documented success result to notify_url', async () => {
	const url = rx.url('success');
	const { orderId, recordId } = await dispense('10000002', url);
	const [hit] = await waitFor(async () => rx.hits('success').length === 1 && rx.hits('success'));
	expect(hit.body).toEqual({ deliver_status: '1', error_msg: '', floor_status: '1', method: CALLBACK_METHOD, order_id: orderId, record_id: recordId });
	const [record] = await waitFor(async () => (await callbacksTo(url)).filter((cb) => cb.delivered).length === 1 && callbacksTo(url));
	expect(record).toMatchObject({ attempts: 1, delivered: true, answers: [{ status: 200, at: expect.any(String) }] });
});

it('pushes a failure with the fault’s floor_status and error_msg', async () => {
	await c.fault({ kind: 'deliveryFail', machineNo: '10000004', floorStatus: '2', errorMsg: 'Goods are Stuck' });
	const { orderId, recordId } = await dispense('10000004', rx.url('failure'));
	const [hit] = await waitFor(async () => rx.hits('failure').length > 0 && rx.hits('failure'));
	expect(hit.body).toEqual({ deliver_status: '0', error_msg: 'Goods are Stuck', floor_status: '2', method: CALLBACK_METHOD, order_id: orderId, record_id: recordId });
});

it('retries a receiver that answers 500 until it answers 200', async () => {
	const url = rx.url('flaky', (hit) => (hit < 2 ? 500 : 200));
	await dispense('10000001', url);
	const [record] = await waitFor(async () => {
		const list = await callbacksTo(url);
		return list[0]?.delivered && list;
	});
	expect(record.attempts).toBe(3);
	expect(record.answers.map((a: Json) => a.status)).toEqual([500, 500, 200]);
	expect(rx.hits('flaky')).toHaveLength(3);
	expect(rx.hits('flaky')[2].body).toEqual(rx.hits('flaky')[0].body);
});

it('gives up after 4 attempts, recording network errors too', async () => {
	const url = rx.url('down', () => 503);
	await dispense('10000003', url);
	const [record] = await waitFor(async () => {
		const list = await callbacksTo(url);
		return list[0]?.attempts === 4 && list[0].answers.length === 4 && list;
	});
	expect(record.delivered).toBe(false);
	expect(record.answers.map((a: Json) => a.status)).toEqual([503, 503, 503, 503]);

	const dead = 'http://127.0.0.1:9/unreachable'; // discard port: nothing listens
	await dispense('10000005', dead);
	const [failed] = await waitFor(async () => {
		const list = await callbacksTo(dead);
		return list[0]?.answers.length === 4 && list;
	});
	expect(failed.delivered).toBe(false);
	expect(failed.answers[0].error).toEqual(expect.any(String));
	expect(failed.answers[0]).not.toHaveProperty('status');
});

it('callbackDuplicate posts the same body twice', async () => {
	await c.fault({ kind: 'callbackDuplicate' });
	const url = rx.url('dup');
	await dispense('10000002', url);
	const hits = await waitFor(async () => rx.hits('dup').length === 2 && rx.hits('dup'));
	expect(hits[1].body).toEqual(hits[0].body);
	const records = await waitFor(async () => {
		const list = await callbacksTo(url);
		return list.length === 2 && list.every((cb) => cb.delivered) && list;
	});
	expect(records.filter((cb: Json) => cb.duplicate)).toHaveLength(1);
});

it('callbackDrop sends nothing for the next push only', async () => {
	await c.fault({ kind: 'callbackDrop' });
	const url = rx.url('drop');
	const first = await dispense('10000001', url);
	await c.waitRecord(first.recordId, 'IS_SUCCESS');
	const second = await dispense('10000001', url);
	const hits = await waitFor(async () => rx.hits('drop').length > 0 && rx.hits('drop'));
	expect(hits).toHaveLength(1);
	expect(hits[0].body.record_id).toBe(second.recordId);
	const records = await callbacksTo(url);
	expect(records[0]).toMatchObject({ dropped: true, attempts: 0, delivered: false, body: { record_id: first.recordId } });
});

it('callbackDelay sends the push only after the given real delay', async () => {
	await c.fault({ kind: 'callbackDelay', ms: 300 });
	const { recordId } = await dispense('10000004', rx.url('late'));
	await c.waitRecord(recordId, 'IS_SUCCESS');
	const doneAt = Date.now();
	expect(rx.hits('late')).toHaveLength(0);
	const [hit] = await waitFor(async () => rx.hits('late').length > 0 && rx.hits('late'));
	expect(hit.at - doneAt).toBeGreaterThanOrEqual(200);
});

it('pushes a timeout result when the machine never reports', async () => {
	await c.fault({ kind: 'deviceSilent', machineNo: '10000005' });
	const { orderId, recordId } = await dispense('10000005', rx.url('silent'));
	await c.advance(121);
	const [hit] = await waitFor(async () => rx.hits('silent').length > 0 && rx.hits('silent'));
	expect(hit.body).toEqual({ deliver_status: '0', error_msg: 'timeout', method: CALLBACK_METHOD, order_id: orderId, record_id: recordId, status: 'IS_TIMEOUT' });
});

it('pushes order.expired for an unpaid order, nothing when the merchant closed it, nothing without notify_url', async () => {
	const expiring = await c.order('10000003', [{ product_id: 102, quantity: 1 }], rx.url('expiry'));
	const closed = await c.order('10000003', [{ product_id: 102, quantity: 1 }], rx.url('closed'));
	expect((await c.setStatus('10000003', closed.orderId, 3)).data.code).toBe(0);
	const silent = await c.order('10000003', [{ product_id: 102, quantity: 1 }]);
	const before = (await c.state()).callbacks.length;
	await c.advance(20 * 60 + 1);
	const [hit] = await waitFor(async () => rx.hits('expiry').length > 0 && rx.hits('expiry'));
	const trade = (await c.state()).orders.find((o: Json) => o.order_id === expiring.orderId).trade_id;
	expect(hit.body).toEqual({ method: 'order.expired', order_id: expiring.orderId, trade_id: trade, status: 'CLOSED' });
	const after: Json[] = (await c.state()).callbacks.slice(before);
	expect(after.map((cb) => cb.body.order_id)).toEqual([expiring.orderId]);
	expect(after.map((cb) => cb.body.order_id)).not.toContain(silent.orderId);
	expect(rx.hits('closed')).toHaveLength(0);
});
