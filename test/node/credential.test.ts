import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { testCredential } from '../helpers/engine';
import { SandboxClient, openSandbox } from '../helpers/sandboxClient';

/** The credential's "Test" button, run the way n8n 1.x's CredentialsTester runs it, against the sandbox. */

let client: SandboxClient;
beforeAll(async () => (client = await openSandbox()));
afterAll(async () => client.sb.close());

const good = () => ({ baseUrl: client.sb.baseUrl, appId: client.sb.appId, appSecret: client.sb.appSecret, signingKey: client.sb.signKey });

describe('credential test (POST /api/openapi/v1/ping)', () => {
	it('succeeds with the sandbox credentials, trailing slash tolerated', async () => {
		expect(await testCredential(new DingShangApi(), good())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect((await testCredential(new DingShangApi(), { ...good(), baseUrl: `${client.sb.baseUrl}/` })).status).toBe('OK');
		expect((await client.state()).requests['POST /ping']).toBeGreaterThanOrEqual(2);
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
