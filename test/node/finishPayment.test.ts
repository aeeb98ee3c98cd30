import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { apiRequestCount, vendingRunner } from '../helpers/vending';

/**
 * Order → Finish Payment through n8n's engine against the sandbox over real HTTP: what the Unfinished
 * Payments trigger does for one payment, callable for any payment (e.g. a bill row). The sandbox's
 * per-record dispense_count and its request counts prove "once": never both, never twice.
 */

let client: SandboxClient;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox({ timeScale: 0.01 });
	run = vendingRunner(client);
});
afterAll(async () => client.sb.close());

type Json = Record<string, any>;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
/** The same moment in China time without a zone, as a bill writes it. */
const chinaTimeAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

const finish = (machineNo: string, orderId: number, paidAt: string, extra: Json = {}) => ({
	resource: 'order',
	operation: 'finishPayment',
	machineNo,
	orderId: String(orderId),
	paidAt,
	dispenseWindowMinutes: 3,
	provider: 'weChatPay',
	outTradeNo: 'T-finish-1',
	totalAmount: '3.50',
	...extra,
});
const requests = async (key: string): Promise<number> => (await client.state()).requests[key] ?? 0;
const orderStatus = async (orderId: number): Promise<string> => (await client.state()).orders.find((o: Json) => o.order_id === orderId).status;
const only = (result: Awaited<ReturnType<typeof run>>): Json => {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(1);
	return result.items[0].json;
};

describe('a young payment (inside the Dispense Window)', () => {
	it('not yet marked paid: marked paid and dispensed late once; a second run dispenses nothing', async () => {
		const order = await client.order('10000001');
		const first = only(await run(finish('10000001', order.orderId, chinaTimeAgo(1))));
		expect(first).toMatchObject({ outcome: 'dispensed_late', order_id: order.orderId, machine_no: '10000001', provider: 'weChatPay', out_trade_no: 'T-finish-1', amount: 3.5 });
		expect(first.minutes_since_payment).toBeCloseTo(1, 0);
		// Product 101 costs 2.00 on DingShang; the bill row said 3.50: listed as differing.
		expect(first).toMatchObject({ order_amount: 2, amount_differs: true });
		expect(only(await run(finish('10000001', order.orderId, chinaTimeAgo(1), { totalAmount: '2' })))).toMatchObject({ order_amount: 2, amount_differs: false });
		expect(first.messageZh).toMatch(/补出货/);
		expect(await orderStatus(order.orderId)).toBe('SUCCESS');
		const puts = await requests('POST /deliveries');
		const again = only(await run(finish('10000001', order.orderId, chinaTimeAgo(1))));
		expect(again).toMatchObject({ outcome: 'already_dispensed', records: [{ record_id: order.recordIds[0], status: 'IS_SUCCESS' }] });
		expect(await requests('POST /deliveries')).toBe(puts);
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(1);
	});

	it('a failed dispense: the order is set to Refund and the refund is due with the record\'s key', async () => {
		const order = await client.paidOrder('10000002');
		await client.fault({ kind: 'deliveryFail', machineNo: '10000002' });
		const item = only(await run(finish('10000002', order.orderId, minutesAgo(0.5))));
		expect(item).toMatchObject({
			outcome: 'refund_due',
			refund_key: `dsr-${order.orderId}-${order.recordIds[0]}`,
			refund_amount: 3.5,
			total_amount: 3.5,
			out_trade_no: 'T-finish-1',
			reason: 'the machine did not dispense it',
			order_set_to_refund_now: true,
		});
		expect(await orderStatus(order.orderId)).toBe('REFUND');
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(1);
	});

	it('machine busy longer than Max Wait for Machine: outcome later, nothing dispensed; a run after the lock dispenses it', async () => {
		const other = await client.paidOrder('10000003');
		const ours = await client.paidOrder('10000003');
		await client.fault({ kind: 'deviceSilent', machineNo: '10000003' }); // conveyor lock 90 s × 0.01
		expect((await client.putDelivery('10000003', other.orderId, other.recordIds[0])).data.code).toBe(0);
		const busy = only(await run(finish('10000003', ours.orderId, minutesAgo(0.2), { options: { maxWaitSeconds: 0.2 } })));
		expect(busy).toMatchObject({ outcome: 'later', order_id: ours.orderId });
		expect(busy.reason).toMatch(/still dispensing/);
		expect((await client.record(ours.recordIds[0])).dispense_count).toBe(0);
		expect(await orderStatus(ours.orderId)).toBe('SUCCESS');
		const after = only(await run(finish('10000003', ours.orderId, minutesAgo(0.3))));
		expect(after.outcome).toBe('dispensed_late');
		expect((await client.record(ours.recordIds[0])).dispense_count).toBe(1);
	});
});

describe('an old payment (past the Dispense Window)', () => {
	it('is set to Refund once and handed on with its refund_key; a second run gives the same key and changes nothing', async () => {
		const order = await client.paidOrder('10000004');
		const first = only(await run(finish('10000004', order.orderId, minutesAgo(10))));
		const key = `dsr-${order.orderId}-${order.recordIds[0]}`;
		expect(first).toMatchObject({ outcome: 'refund_due', provider: 'weChatPay', refund_key: key, refund_amount: 3.5, total_amount: 3.5, order_set_to_refund_now: true });
		expect(first.reason).toMatch(/later than the Dispense Window \(3 min\)/);
		expect(first.message).toContain(`refund 3.5 yuan with refund_key ${key}`);
		expect(await orderStatus(order.orderId)).toBe('REFUND');
		const puts = await requests('PUT /orders/{order_id}');
		const again = only(await run(finish('10000004', order.orderId, minutesAgo(10))));
		expect(again).toMatchObject({ outcome: 'refund_due', refund_key: key, refund_amount: 3.5, order_set_to_refund_now: false });
		expect(again.message).toMatch(/already set to Refund/);
		expect(await requests('PUT /orders/{order_id}')).toBe(puts);
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(0);
	});

	it('already refunded at the provider (the bill says so): already_refunded, never dispensed, nothing to hand on', async () => {
		const order = await client.paidOrder('10000005');
		const item = only(await run(finish('10000005', order.orderId, minutesAgo(1), { refundedAmount: '3.50' })));
		expect(item).toMatchObject({ outcome: 'already_refunded', refund_key: `dsr-${order.orderId}-${order.recordIds[0]}`, refunded_amount: 3.5 });
		expect(await orderStatus(order.orderId)).toBe('REFUND');
		expect((await client.record(order.recordIds[0])).dispense_count).toBe(0);
	});

	it('a partial refund, or a dispensed payment that was also refunded, is left for a person', async () => {
		const partial = await client.paidOrder('10000005');
		const part = only(await run(finish('10000005', partial.orderId, minutesAgo(10), { refundedAmount: '1' })));
		expect(part).toMatchObject({ outcome: 'needs_person' });
		expect(part.reason).toMatch(/refunded in part/);
		expect(await orderStatus(partial.orderId)).toBe('SUCCESS');
		const both = await client.paidOrder('10000005');
		expect(only(await run(finish('10000005', both.orderId, minutesAgo(1)))).outcome).toBe('dispensed_late');
		const refunded = only(await run(finish('10000005', both.orderId, minutesAgo(1), { refundedAmount: '3.5' })));
		expect(refunded).toMatchObject({ outcome: 'needs_person' });
		expect(refunded.messageZh).toMatch(/已出货/);
		expect((await client.record(both.recordIds[0])).dispense_count).toBe(1);
	});
});

describe('what it cannot decide, and bad input', () => {
	it('an order DingShang does not know is left for a person', async () => {
		const item = only(await run(finish('10000001', 987654, minutesAgo(1))));
		expect(item).toMatchObject({ outcome: 'needs_person', order_id: 987654 });
		expect(item.message).toMatch(/^Left for you: DingShang refused to read order 987654/);
	});

	it.each([
		[{ paidAt: 'yesterday' }, /Invalid "Paid At": expected the payment time/],
		[{ paidAt: minutesAgo(-60) }, /Invalid "Paid At": the payment time is in the future/],
		[{ dispenseWindowMinutes: 0 }, /Invalid "Dispense Window \(Minutes\)"/],
		[{ totalAmount: '3,50' }, /Invalid "Total Amount \(Yuan\)"/],
		[{ refundedAmount: '-1' }, /Invalid "Already Refunded \(Yuan\)"/],
		[{ machineNo: '123' }, /Invalid "Machine No"/],
	])('%j fails naming the field, before any request', async (bad, message) => {
		const before = await apiRequestCount(client);
		const result = await run(finish('10000001', 1, minutesAgo(1), bad));
		expect(String(result.error?.message)).toMatch(message);
		expect(await apiRequestCount(client)).toBe(before);
	});
});
