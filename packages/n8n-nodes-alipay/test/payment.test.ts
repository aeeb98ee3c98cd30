import '../../../test/helpers/n8n/env';

import { generateKeyPairSync } from 'node:crypto';
import { CredentialTestContext } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { AlipayApi } from '../credentials/AlipayApi.credentials';
import { Alipay } from '../nodes/Alipay/Alipay.node';
import { alipayKeys } from '../nodes/shared/alipay/credentialTest';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { createAdditionalData } from '../../../test/helpers/n8n/additionalData';
import { TestCredentialsHelper } from '../../../test/helpers/n8n/credentials';
import { runNode, type RunNodeResult } from '../../../test/helpers/n8n/engine';

/** Payment → Get / Close through n8n-core's engine, and the credential's Test button in n8n-core's test context, against the sandbox over HTTP. */

let sb: RunningPaymentSandbox;
beforeAll(async () => {
	sb = await startPaymentSandbox({ port: 0 });
});
afterAll(async () => await sb.close());

function run(parameters: IDataObject): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { alipay: new Alipay() },
		credentialTypes: { alipayApi: new AlipayApi() },
		credentials: { alipayApi: { ...sb.alipay } },
		type: 'alipay',
		parameters: { resource: 'payment', operation: 'get', ...parameters } as INodeParameters,
	});
}
let seq = 0;
async function paid(amount: string): Promise<string> {
	const outTradeNo = `PAY${Date.now().toString(36)}${seq++}`;
	await sb.pay({ provider: 'alipay', out_trade_no: outTradeNo, amount, attach: 'machine_no=1&order_id=2', notify_url: 'http://127.0.0.1:9/n' });
	return outTradeNo;
}

describe('Alipay Payment → Get', () => {
	it('a paid trade, by Out Trade No and by Trade No: Alipay\'s names as the trigger gives them, amounts as numbers', async () => {
		const outTradeNo = await paid('3.50');
		const byOut = await run({ outTradeNo });
		expect(byOut.error).toBeUndefined();
		const item = byOut.items[0].json;
		expect(item).toMatchObject({ outcome: 'paid', out_trade_no: outTradeNo, trade_status: 'TRADE_SUCCESS', total_amount: 3.5, receipt_amount: 3.5, buyer_id: '2088102177846880' });
		expect(item.gmt_payment).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		expect(item.paid_at).toBe(`${String(item.gmt_payment).replace(' ', 'T')}+08:00`);
		const byTradeNo = await run({ findBy: 'tradeNo', tradeNo: item.trade_no });
		expect(byTradeNo.items[0].json).toMatchObject({ outcome: 'paid', out_trade_no: outTradeNo });
	});

	it('an unknown trade is an item saying not_found; a bad Trade No is an input error', async () => {
		const result = await run({ outTradeNo: 'NEVER-PAID-1' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ outcome: 'not_found', out_trade_no: 'NEVER-PAID-1' });
		const bad = await run({ findBy: 'tradeNo', tradeNo: 'abc' });
		expect(bad.error?.message).toBe('Invalid "Trade No": expected Alipay\'s trade number (digits, e.g. 2026113022001400000000000001), got "abc"');
	});
});

describe('Alipay Payment → Close', () => {
	it('closes a trade waiting for the buyer; Get then says closed', async () => {
		const open = await fetch(`${sb.baseUrl}/__payments/alipay-trades`, { method: 'POST', body: JSON.stringify({ out_trade_no: 'OPEN-1', amount: '2.00' }) });
		expect(open.status).toBe(200);
		const result = await run({ operation: 'close', outTradeNo: 'OPEN-1' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ closed: true, out_trade_no: 'OPEN-1' });
		expect((await run({ outTradeNo: 'OPEN-1' })).items[0].json).toMatchObject({ outcome: 'closed', trade_status: 'TRADE_CLOSED' });
	});

	it('a paid trade: Alipay\'s refusal ACQ.TRADE_STATUS_ERROR as a clear error (refund it, not close)', async () => {
		const outTradeNo = await paid('1.00');
		const result = await run({ operation: 'close', outTradeNo });
		expect(result.error?.message).toBe('Alipay refused: ACQ.TRADE_STATUS_ERROR 交易状态不合法');
		expect(String(result.error?.description)).toContain('A paid trade is refunded, not closed.');
	});
});

describe('the Alipay credential\'s Test button proves both keys online', () => {
	const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const test = async (data: IDataObject) => {
		const context = new CredentialTestContext(createAdditionalData(new TestCredentialsHelper({ alipayApi: new AlipayApi() })));
		return await alipayKeys.call(context, { id: 't', name: 't', type: 'alipayApi', data: { ...sb.alipay, ...data } });
	};

	it('right keys: OK', async () => {
		expect(await test({})).toEqual({ status: 'OK', message: expect.stringContaining('verified with the Alipay Public Key') });
	});

	it('another App Private Key: Error naming "App Private Key"', async () => {
		const result = await test({ privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
		expect(result).toEqual({ status: 'Error', message: expect.stringContaining('"App Private Key" does not belong to this App ID') });
	});

	it('another Alipay Public Key (e.g. the app\'s own): Error naming "Alipay Public Key"', async () => {
		const result = await test({ alipayPublicKey: other.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
		expect(result).toEqual({ status: 'Error', message: expect.stringContaining('does not verify with the "Alipay Public Key"') });
	});

	it('a gateway nobody answers: Error naming "Gateway URL"; a key that does not parse: named offline', async () => {
		expect(await test({ gatewayUrl: 'http://127.0.0.1:9/gateway.do' })).toEqual({ status: 'Error', message: expect.stringContaining('"Gateway URL" could not be reached') });
		expect(await test({ privateKey: 'not a key' })).toEqual({ status: 'Error', message: expect.stringContaining('App Private Key') });
	});
});
