import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/** The App Secret and the Signing Key never show up in outputs, errors or logs — right or wrong. */

const APP_SECRET = 'deadbeefcafe0123456789abcdef0123456789ab';
const SIGN_KEY = 'SIGN-KEY-must-not-leak-7Q';
const WRONG_SECRET = 'feedfacefeedface0123456789abcdef01234567';
const WRONG_KEY = 'WRONG-KEY-must-not-leak-9Z';
const SECRETS = [APP_SECRET, SIGN_KEY, WRONG_SECRET, WRONG_KEY];

let client: SandboxClient;
beforeAll(async () => (client = await openSandbox({ appSecret: APP_SECRET, signKey: SIGN_KEY })));
afterAll(async () => client.sb.close());

it('no secret in any serialized run, output, error or console line', async () => {
	const logged: string[] = [];
	const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
		jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' '))),
	);
	try {
		const run = vendingRunner(client);
		const paid = await client.paidOrder('10000001', [{ product_id: 101, quantity: 1 }, { product_id: 102, quantity: 1 }]);
		const unpaid = await client.order('10000002');
		await client.fault({ kind: 'deliveryFail', machineNo: '10000001', floorStatus: '2', errorMsg: 'Goods are Stuck' });
		await client.fault({ kind: 'reset', when: 'after', match: { method: 'POST', path: '/api/openapi/v1/deliveries' } });
		const results = [
			await run({ resource: 'order', operation: 'create', machineNo: '10000001', products: { product: [{ productId: '101', quantity: 1 }] } }),
			await run({ resource: 'delivery', operation: 'put', machineNo: '10000001', orderId: String(paid.orderId), dispense: 'allPending', waitForResult: true }),
			await run({ resource: 'delivery', operation: 'put', machineNo: '10000002', orderId: String(unpaid.orderId), dispense: 'allPending' }),
			await run({ resource: 'order', operation: 'get', machineNo: '10000009', orderId: '1' }, [{}], true),
			await run({ resource: 'order', operation: 'get', machineNo: 'bad', orderId: '1' }),
			await vendingRunner(client, { appSecret: WRONG_SECRET })({ resource: 'order', operation: 'get', machineNo: '10000001', orderId: '1' }),
			await vendingRunner(client, { signingKey: WRONG_KEY })({ resource: 'order', operation: 'update', machineNo: '10000001', orderId: '1', status: 2 }),
			await vendingRunner(client, { baseUrl: 'http://127.0.0.1:9' })({ resource: 'order', operation: 'get', machineNo: '10000001', orderId: '1' }),
		];
		// The scenarios really happened: successes, a failure outcome, and errors of each kind.
		expect(results[1].outputs.flat().map((i) => i.json.outcome).sort()).toEqual(['dispensed', 'failed']);
		expect(results.filter((r) => r.error).length).toBeGreaterThanOrEqual(5);

		const serialized = JSON.stringify(results.map((r) => ({ outputs: r.outputs, error: r.error, run: r.run })));
		const errorText = results.map((r) => `${r.error?.message} ${r.error?.description} ${r.error?.stack}`).join('\n');
		for (const secret of SECRETS) {
			expect(serialized).not.toContain(secret);
			expect(errorText).not.toContain(secret);
			expect(logged.join('\n')).not.toContain(secret);
		}
	} finally {
		spies.forEach((spy) => spy.mockRestore());
	}
});

it("Create Order's output shows the Notify URL with the trigger's token masked (the platform gets it whole)", async () => {
	const token = 'trigger-token-must-not-show-4K';
	const notifyUrl = `http://127.0.0.1:5678/webhook/abc/delivery-result?token=${token}&machine_no=10000001`;
	const result = await vendingRunner(client)({
		resource: 'order',
		operation: 'create',
		machineNo: '10000001',
		notifyUrl,
		products: { product: [{ productId: '101', quantity: 1 }] },
	});
	const [item] = result.items.map((i) => i.json);
	expect(item.notify_url).toBe('http://127.0.0.1:5678/webhook/abc/delivery-result?token=***&machine_no=10000001');
	expect(JSON.stringify(result.run)).not.toContain(token);
	const { orders } = await client.state();
	expect(orders.find((o: { order_id: number }) => o.order_id === item.order_id).notify_url).toBe(notifyUrl);
});
