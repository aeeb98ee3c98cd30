import '../../../test/helpers/n8n/env';

import { generateKeyPairSync } from 'node:crypto';
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';

import { WeChatPay } from '../nodes/WeChatPay/WeChatPay.node';
import { WeChatPayNotificationTrigger } from '../nodes/WeChatPayNotificationTrigger/WeChatPayNotificationTrigger.node';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { createAdditionalData } from '../../../test/helpers/n8n/additionalData';
import { TestCredentialsHelper } from '../../../test/helpers/n8n/credentials';

/**
 * The credential's Test button (weChatPayKeys) as n8n 2.x's CredentialsTester runs it: called on
 * n8n-core's own CredentialTestContext, whose `request` helper goes out over real HTTP to the
 * payment sandbox. Every key is proven online; a wrong one is named.
 */

let sandbox: RunningPaymentSandbox;
beforeAll(async () => (sandbox = await startPaymentSandbox({ port: 0 })));
afterAll(async () => await sandbox.close());

const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPrivate = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherPublic = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();

async function test(data: ICredentialDataDecryptedObject, node = new WeChatPay()): Promise<INodeCredentialTestResult> {
	const context = new CredentialTestContext(createAdditionalData(new TestCredentialsHelper({}, {})));
	return await node.methods.credentialTest.weChatPayKeys.call(context, { id: 'c1', name: 'WeChat Pay', type: 'weChatPayApi', data });
}

describe('the WeChat Pay credential test proves every key online', () => {
	it('the right credential: every key proven by the sandbox (from both nodes that use it)', async () => {
		const ok = { status: 'OK', message: expect.stringContaining('Merchant Private Key signs, the WeChat Pay Public Key verifies, the APIv3 Key decrypts') };
		expect(await test({ ...sandbox.weChatPay })).toEqual(ok);
		expect(await test({ ...sandbox.weChatPay }, new WeChatPayNotificationTrigger() as unknown as WeChatPay)).toEqual(ok);
	});

	it('a wrong Merchant Private Key (or serial number) is named: WeChat Pay refused the signature', async () => {
		const key = await test({ ...sandbox.weChatPay, privateKey: otherPrivate });
		expect(key).toMatchObject({ status: 'Error', message: expect.stringMatching(/^Merchant Private Key \/ Certificate Serial No: .*SIGN_ERROR/) });
		const serial = await test({ ...sandbox.weChatPay, serialNo: '0'.repeat(40) });
		expect(serial).toMatchObject({ status: 'Error', message: expect.stringMatching(/^Merchant Private Key \/ Certificate Serial No:/) });
	});

	it('a wrong WeChat Pay Public Key (or its ID) is named: the answer does not verify', async () => {
		const key = await test({ ...sandbox.weChatPay, publicKey: otherPublic });
		expect(key).toMatchObject({ status: 'Error', message: expect.stringMatching(/^WeChat Pay Public Key: .*does not verify/) });
		const id = await test({ ...sandbox.weChatPay, publicKeyId: 'PUB_KEY_ID_0000000000000000000000000000' });
		expect(id).toMatchObject({ status: 'Error', message: expect.stringMatching(/^WeChat Pay Public Key ID: /) });
	});

	it('a wrong APIv3 Key is named: the certificate in the answer does not decrypt', async () => {
		const result = await test({ ...sandbox.weChatPay, apiV3Key: 'A'.repeat(32) });
		expect(result).toMatchObject({ status: 'Error', message: expect.stringMatching(/^APIv3 Key: /) });
	});

	it('offline checks still come first and name the field; an unreachable Base URL says so; no message shows a key', async () => {
		expect(await test({ ...sandbox.weChatPay, apiV3Key: 'short' })).toMatchObject({ status: 'Error', message: expect.stringContaining('"APIv3 Key"') });
		expect(await test({ ...sandbox.weChatPay, baseUrl: 'http://127.0.0.1:9' })).toMatchObject({ status: 'Error', message: expect.stringMatching(/Could not reach WeChat Pay at the Base URL \(ECONNREFUSED\)/) });
		const results = await Promise.all([test({ ...sandbox.weChatPay, privateKey: otherPrivate }), test({ ...sandbox.weChatPay, apiV3Key: 'B'.repeat(32) })]);
		for (const result of results) {
			expect(result.message).not.toContain(sandbox.weChatPay.apiV3Key);
			expect(result.message).not.toContain(sandbox.weChatPay.privateKey.split('\n')[1]);
		}
	});
});
