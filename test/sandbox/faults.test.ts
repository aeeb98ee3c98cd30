import { API_PREFIX, DELIVERY_METHOD } from '../../nodes/shared/dingshang/protocol';
import { encodePayload } from '../../nodes/shared/dingshang/signing';
import { openSandbox, waitFor, type SandboxClient } from '../helpers/sandboxClient';

const MACHINE = '10000002';
let c: SandboxClient;
beforeAll(async () => {
	c = await openSandbox();
});
afterAll(() => c.sb.close());

/** A put delivery whose answer is kept raw (text), so broken answers can be inspected. */
async function rawPut(orderId: number, recordId: number) {
	const payload = encodePayload({ machine_no: MACHINE, method: DELIVERY_METHOD, order_id: String(orderId), record_id: String(recordId) }, c.sb.signKey);
	const started = Date.now();
	try {
		const res = await c.http.post(`${API_PREFIX}/deliveries`, { payload }, { transformResponse: (d) => d, responseType: 'text' });
		return { res, error: undefined, ms: Date.now() - started };
	} catch (error) {
		return { res: undefined, error: error as { code?: string; message: string }, ms: Date.now() - started };
	}
}

const DELIVERIES = { method: 'POST', path: `${API_PREFIX}/deliveries` };

describe.each(['before', 'after'] as const)('request faults, when=%s', (when) => {
	const dispensed = when === 'after' ? 1 : 0;

	it.each(['http500', 'html', 'malformedJson', 'reset'] as const)('%s', async (kind) => {
		const { orderId, recordIds } = await c.paidOrder(MACHINE);
		await c.fault({ kind, when, match: DELIVERIES });
		const { res, error } = await rawPut(orderId, recordIds[0]);
		if (kind === 'reset') {
			expect(res).toBeUndefined();
			expect(['ECONNRESET', 'ERR_BAD_RESPONSE']).toContain(error?.code);
		} else if (kind === 'http500') {
			expect(res?.status).toBe(500);
			expect(res?.data).toBe('Internal Server Error');
		} else if (kind === 'html') {
			expect(res?.status).toBe(502);
			expect(res?.headers['content-type']).toContain('text/html');
			expect(res?.data).toContain('<html>');
		} else {
			expect(res?.status).toBe(200);
			expect(() => JSON.parse(res?.data)).toThrow();
			expect(res?.data).toMatch(/^\{"code":0/);
		}
		// "after": the dispense really happened even though the answer was lost.
		expect((await c.record(recordIds[0])).dispense_count).toBe(dispensed);
		if (when === 'after') {
			const again = await c.putDelivery(MACHINE, orderId, recordIds[0]);
			expect(again.data.code).toBe(6034);
		} else {
			expect((await c.record(recordIds[0])).status).toBe('WAITING_PICKED_UP');
			expect((await c.putDelivery(MACHINE, orderId, recordIds[0])).data.code).toBe(0);
		}
		expect((await c.waitRecord(recordIds[0], 'IS_SUCCESS')).dispense_count).toBe(1);
	});

	it('delay', async () => {
		const { orderId, recordIds } = await c.paidOrder(MACHINE);
		await c.fault({ kind: 'delay', ms: 250, when, match: DELIVERIES });
		const pending = rawPut(orderId, recordIds[0]);
		await new Promise((resolve) => setTimeout(resolve, 80));
		expect((await c.record(recordIds[0])).dispense_count).toBe(dispensed);
		const { res, ms } = await pending;
		expect(ms).toBeGreaterThanOrEqual(240);
		expect(JSON.parse(res?.data).code).toBe(0);
		expect((await c.waitRecord(recordIds[0], 'IS_SUCCESS')).dispense_count).toBe(1);
	});
});

describe('fault matching and counting', () => {
	it('hits only matching requests, count times, then answers normally', async () => {
		const { orderId, recordIds } = await c.paidOrder(MACHINE);
		const queued = await c.fault([{ kind: 'http500', count: 2, match: DELIVERIES }]);
		expect(queued.data.added).toHaveLength(1);
		expect(queued.data.queued).toEqual([expect.objectContaining({ kind: 'http500', count: 2, when: 'before' })]);
		expect((await c.http.post(`${API_PREFIX}/ping`)).data.data).toBe('pong');
		expect((await c.signed('POST', `/orders/${orderId}`, { machine_no: MACHINE })).data.code).toBe(0);
		expect((await rawPut(orderId, recordIds[0])).res?.status).toBe(500);
		expect((await rawPut(orderId, recordIds[0])).res?.status).toBe(500);
		expect((await c.state()).faults).toEqual([]);
		expect(JSON.parse((await rawPut(orderId, recordIds[0])).res?.data).code).toBe(0);
		await c.waitRecord(recordIds[0], 'IS_SUCCESS');
	});

	it('without match, hits the next API request whatever it is', async () => {
		await c.fault({ kind: 'html' });
		const res = await c.http.post(`${API_PREFIX}/ping`);
		expect(res.status).toBe(502);
		expect((await c.http.post(`${API_PREFIX}/ping`)).data.data).toBe('pong');
	});

	it('a client that gave up on a delayed answer may still have caused the dispense', async () => {
		const { orderId, recordIds } = await c.paidOrder(MACHINE);
		await c.fault({ kind: 'delay', ms: 400, when: 'after', match: DELIVERIES });
		const payload = encodePayload({ machine_no: MACHINE, method: DELIVERY_METHOD, order_id: String(orderId), record_id: String(recordIds[0]) }, c.sb.signKey);
		const gaveUp = await c.http.post(`${API_PREFIX}/deliveries`, { payload }, { timeout: 100 }).catch((e: { code?: string }) => e);
		expect((gaveUp as { code?: string }).code).toBe('ECONNABORTED');
		await waitFor(async () => (await c.record(recordIds[0])).status === 'IS_SUCCESS');
		expect((await c.record(recordIds[0])).dispense_count).toBe(1);
	});
});
