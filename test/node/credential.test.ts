import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { testCredential } from '../helpers/n8n/credentialTest';
import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { vendingRunner } from '../helpers/vending';

/** The credential's "Test" button, run the way n8n's CredentialsTester runs it, against the sandbox. */

let client: SandboxClient;
beforeAll(async () => (client = await openSandbox()));
afterAll(async () => client.sb.close());

const good = () => ({ baseUrl: client.sb.baseUrl, appId: client.sb.appId, appSecret: client.sb.appSecret, signingKey: client.sb.signKey });

describe('credential test (a signed Get Order of machine 00000000)', () => {
	it('succeeds with the sandbox credentials, trailing slash tolerated: the signed request passed the sign check', async () => {
		const reads = async () => ((await client.state()).requests['POST /orders/{order_id}'] ?? 0) as number;
		const before = await reads();
		expect(await testCredential(new DingShangApi(), good())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect((await testCredential(new DingShangApi(), { ...good(), baseUrl: `${client.sb.baseUrl}/` })).status).toBe('OK');
		expect((await reads()) - before).toBe(2);
	});

	it('fails for a wrong Signing Key (4006), naming the field, without showing the key', async () => {
		const result = await testCredential(new DingShangApi(), { ...good(), signingKey: 'not-the-signing-key' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^DingShang error 4006: .*Signing Key/);
		expect(result.message).not.toContain('not-the-signing-key');
	});

	it('a Signing Key that passes the test signs the first real call without 4006', async () => {
		expect((await testCredential(new DingShangApi(), good())).status).toBe('OK');
		const order = await client.order('10000001');
		const run = vendingRunner(client);
		const result = await run({ resource: 'order', operation: 'get', machineNo: '10000001', orderId: String(order.orderId) });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.order_id).toBe(order.orderId);
	});

	it('fails with the platform code and explanation for a wrong App Secret (HTTP 401, code 4009)', async () => {
		const result = await testCredential(new DingShangApi(), { ...good(), appSecret: 'f'.repeat(40) });
		expect(result.status).toBe('Error');
		expect(result.message).toBe('DingShang error 4009: The App Secret is wrong. Copy it again from the DingShang dashboard.');
		expect(result.message).not.toContain('f'.repeat(40));
	});

	it('fails for an unknown App ID (10014) and a missing one (10008)', async () => {
		expect((await testCredential(new DingShangApi(), { ...good(), appId: 'ds0000000000000000' })).message).toMatch(/^DingShang error 10014:/);
		expect((await testCredential(new DingShangApi(), { ...good(), appId: '' })).message).toMatch(/^DingShang error 10008:/);
	});

	it('fails when nothing listens at the Base URL', async () => {
		const result = await testCredential(new DingShangApi(), { ...good(), baseUrl: 'http://127.0.0.1:9' });
		expect(result.status).toBe('Error');
	});
});
