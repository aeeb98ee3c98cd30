import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import type { SandboxSignStyle } from '../../sandbox';
import { testCredential } from '../helpers/n8n/credentialTest';
import { SandboxClient, openSandbox, type Json } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/**
 * Whichever canonical form the platform checks (docs/design.md › Signing): the node sends the plain form
 * first, re-sends once in the go form after a 4006 where the two differ, and remembers what passed.
 * Each mode gets its own sandbox (own port, so its own remembered form in this process).
 */

const MACHINE = '10000001';
const NOTIFY_URL = 'http://127.0.0.1:9/hook?token=secret';

const json = (result: { items: Array<{ json: Json }> }) => result.items.map((item) => item.json);

async function counts(client: SandboxClient, route: string): Promise<{ requests: number; signatures: Record<string, number> }> {
	const state = await client.state();
	return { requests: state.requests[route] ?? 0, signatures: state.signatures };
}

/** A pickup code of product 101, made without an expiry: digits only, so both forms agree. */
async function freshCode(client: SandboxClient): Promise<string> {
	expect((await client.signed('POST', '/pickup_codes', { machine_no: MACHINE, method: 'pickup_code.product.id', product_id: '101', count: '1' })).data.code).toBe(0);
	const listed = await client.signed('POST', '/products/101/pickup_code', { machine_no: MACHINE });
	return String(listed.data.data[0].code);
}

describe.each<[SandboxSignStyle, number]>([
	['go', 2],
	['plain', 1],
	['either', 1],
])('sandbox checking the %s form', (mode, firstCallRequests) => {
	let client: SandboxClient;
	let run: ReturnType<typeof vendingRunner>;
	beforeAll(async () => {
		client = await openSandbox({ signStyle: mode });
		run = vendingRunner(client);
	});
	afterAll(async () => client.sb.close());

	it(`Consume with a notify_url succeeds in ${firstCallRequests} request(s); Test Dispense and Create Pickup Codes with an expiry then go straight in the form that passed`, async () => {
		const accepted = mode === 'go' ? 'go' : 'plain';
		const code = await freshCode(client);
		const consumed = json(await run({ resource: 'pickupCode', operation: 'consume', machineNo: MACHINE, code, productId: '101', notifyUrl: NOTIFY_URL }));
		expect(consumed).toEqual([expect.objectContaining({ outcome: 'consumed', status: 'PICKUPCODE' })]);
		const afterConsume = await counts(client, 'POST /consumes');
		expect(afterConsume.requests).toBe(firstCallRequests);
		expect(afterConsume.signatures).toEqual(mode === 'go' ? { same: 2, refused: 1, go: 1 } : { same: 2, plain: 1 });

		const tested = json(await run({ resource: 'delivery', operation: 'test', machineNo: MACHINE, channelName: 'A2', notifyUrl: NOTIFY_URL, waitForResult: false }));
		expect(tested).toEqual([expect.objectContaining({ channel_name: 'A2', delivery_id: expect.stringMatching(/^\d+$/) })]);
		expect((await counts(client, 'POST /deliveries/debug')).requests).toBe(1);

		const { now_ms } = (await client.http.get('/__sandbox/clock')).data;
		const expiresAt = new Date(now_ms + 3600_000).toISOString();
		const created = json(await run({ resource: 'pickupCode', operation: 'create', machineNo: MACHINE, productId: '102', count: 1, codeLength: 6, expiresAt }));
		expect(created).toHaveLength(1);
		const after = await counts(client, 'POST /pickup_codes');
		expect(after.requests).toBe(2); // freshCode's, and exactly one for the node
		expect(after.signatures).toMatchObject({ [accepted]: 3 });
		expect(after.signatures.refused ?? 0).toBe(mode === 'go' ? 1 : 0);
	});

	it('a wrong Signing Key: where the forms differ one re-send, then 4006 explained; where they agree no re-send; the credential test is one request', async () => {
		await client.http.post('/__sandbox/reset');
		const wrong = vendingRunner(client, { signingKey: 'not-the-signing-key' });
		const code = await freshCode(client);
		const result = await wrong({ resource: 'pickupCode', operation: 'consume', machineNo: MACHINE, code, productId: '101', notifyUrl: NOTIFY_URL });
		expect(result.error?.name).toBe('NodeApiError');
		expect(String(result.error?.message)).toContain('4006');
		expect(String(result.error?.description)).toMatch(/Signing Key/);
		expect(String(result.error?.message) + String(result.error?.description)).not.toContain('not-the-signing-key');
		expect((await counts(client, 'POST /consumes')).requests).toBe(2);

		const read = await wrong({ resource: 'order', operation: 'get', machineNo: MACHINE, orderId: '1' });
		expect(String(read.error?.message)).toContain('4006');
		expect((await counts(client, 'POST /orders/{order_id}')).requests).toBe(1);

		const good = { baseUrl: client.sb.baseUrl, appId: client.sb.appId, appSecret: client.sb.appSecret };
		expect((await testCredential(new DingShangApi(), { ...good, signingKey: 'not-the-signing-key' })).message).toMatch(/^DingShang error 4006/);
		expect((await testCredential(new DingShangApi(), { ...good, signingKey: client.sb.signKey })).status).toBe('OK');
		expect((await counts(client, 'POST /orders/{order_id}')).requests).toBe(3);
	});
});

describe('the remembered form follows the platform', () => {
	it('a credential whose platform switched forms pays one extra request once, then goes straight again', async () => {
		// Two sandboxes would be two credentials; one sandbox restarted on the same port is the same credential.
		const first = await openSandbox({ signStyle: 'go' });
		const port = Number(new URL(first.sb.baseUrl).port);
		const run = vendingRunner(first);
		const consumeTwice = async (client: SandboxClient) => {
			for (let i = 0; i < 2; i++) {
				const code = await freshCode(client);
				expect(json(await run({ resource: 'pickupCode', operation: 'consume', machineNo: MACHINE, code, productId: '101', notifyUrl: NOTIFY_URL }))[0].outcome).toBe('consumed');
			}
			return counts(client, 'POST /consumes');
		};
		expect((await consumeTwice(first)).requests).toBe(3); // plain refused, go; then go
		await first.sb.close();
		await new Promise((resolve) => setTimeout(resolve, 200)); // let kept-alive client sockets see the close
		const second = await openSandbox({ signStyle: 'plain', port });
		try {
			const seen = await consumeTwice(second);
			expect(seen.requests).toBe(3); // go (remembered) refused, plain; then plain
			expect(seen.signatures).toMatchObject({ refused: 1, plain: 2 });
		} finally {
			await second.sb.close();
		}
	});
});
