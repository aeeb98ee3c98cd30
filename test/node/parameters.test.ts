import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/**
 * itemParameters.ts answers constants and plain `$json` reads without n8n's expression engine:
 * every answer must be the one n8n gives. Each case runs the same items twice through n8n-core's
 * engine — once with the plain form, once with an equivalent expression only n8n can evaluate —
 * and compares outputs and errors.
 */

let client: SandboxClient;
let run: ReturnType<typeof vendingRunner>;

beforeAll(async () => {
	client = await openSandbox();
	run = vendingRunner(client);
});
afterAll(async () => client.sb.close());

const viaN8n = (path: string) => `={{ ($json${path}) }}`; // in parentheses: not a plain read, so n8n evaluates it

async function orders(count: number) {
	const made = [];
	for (let i = 0; i < count; i++) made.push(await client.paidOrder(i % 2 ? '10000002' : '10000001'));
	return made;
}

describe('parameters read without the expression engine give n8n\'s answers', () => {
	it('flat, nested and bracketed fields, numbers and strings, per item (Get Order, 1.2 locator)', async () => {
		const made = await orders(4);
		const items = made.map((o, i) => ({ order_id: i % 2 ? o.orderId : String(o.orderId), body: { 'machine no': i % 2 ? '10000002' : '10000001' } }));
		const form = (orderId: string, machine: string) => ({ resource: 'order', operation: 'get', orderId, machineNo: { __rl: true, mode: 'id', value: machine } });
		const plain = await run({ ...form('={{ $json.order_id }}', '={{ $json.body["machine no"] }}') }, items);
		const n8n = await run({ ...form(viaN8n('.order_id'), viaN8n('.body["machine no"]')) }, items);
		expect(plain.error).toBeUndefined();
		expect(plain.items.map((i) => i.json.order_id)).toEqual(made.map((o) => o.orderId));
		expect(plain.items.map((i) => i.json.machine_no)).toEqual(['10000001', '10000002', '10000001', '10000002']);
		expect(plain.items).toEqual(n8n.items);
	});

	it('a constant status and machine (read once) apply to every item (Update Order, version 1 text field)', async () => {
		const made = await orders(3);
		const plain = await run({ resource: 'order', operation: 'update', orderId: '={{ $json.id }}', machineNo: '10000001', status: 2 }, made.filter((_, i) => i % 2 === 0).map((o) => ({ id: o.orderId })));
		expect(plain.error).toBeUndefined();
		expect(plain.items.map((i) => [i.json.order_status, i.json.machine_no, i.json.changed])).toEqual([
			['REFUND', '10000001', true],
			['REFUND', '10000001', true],
		]);
	});

	it.each([
		['a missing field', {}],
		['an object', { order_id: { id: 5 } }],
		['null', { order_id: null }],
		['a bad value', { order_id: '6x' }],
	])('%s: the same error as n8n\'s evaluation, naming the field, nothing sent', async (_, item) => {
		const plain = await run({ resource: 'order', operation: 'get', orderId: '={{ $json.order_id }}', machineNo: '10000001' }, [item]);
		const n8n = await run({ resource: 'order', operation: 'get', orderId: viaN8n('.order_id'), machineNo: '10000001' }, [item]);
		expect(plain.error?.message).toMatch(/^Invalid "Order ID": expected a positive whole number, got /);
		expect(plain.error?.message).toBe(n8n.error?.message);
	});
});
