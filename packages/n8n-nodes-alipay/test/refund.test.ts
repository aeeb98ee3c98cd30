import '../../../test/helpers/n8n/env';

import { generateKeyPairSync } from 'node:crypto';
import { CredentialTestContext } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { AlipayApi } from '../credentials/AlipayApi.credentials';
import { Alipay } from '../nodes/Alipay/Alipay.node';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { runNode, type RunNodeResult } from '../../../test/helpers/n8n/engine';
import { createAdditionalData } from '../../../test/helpers/n8n/additionalData';
import { TestCredentialsHelper } from '../../../test/helpers/n8n/credentials';

/** The Alipay node (Refund → Create / Get) through n8n-core's engine, against the payment sandbox over real HTTP. */

let sandbox: RunningPaymentSandbox;
let seq = 0;

beforeAll(async () => {
	sandbox = await startPaymentSandbox({ port: 0 });
});
afterAll(async () => await sandbox.close());

const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPrivate = otherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherPublic = otherKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function refund(parameters: IDataObject, items: IDataObject[] = [{}], opts: { continueOnFail?: boolean; creds?: IDataObject } = {}): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { alipay: new Alipay() },
		credentialTypes: { alipayApi: new AlipayApi() },
		credentials: { alipayApi: { ...sandbox.alipay, ...opts.creds } },
		type: 'alipay',
		parameters: { resource: 'refund', operation: 'create', ...parameters } as INodeParameters,
		items,
		continueOnFail: opts.continueOnFail,
	});
}
const get = (outTradeNo: string, refundKey: string) => refund({ operation: 'get', outTradeNo, refundKey });

/** A payment of `yuan` made in the sandbox (its notification goes nowhere; only the ledger matters here). */
async function paid(yuan = 3.5): Promise<string> {
	const outTradeNo = `A${Date.now().toString(36)}${String(seq++).padStart(6, '0')}`.padEnd(24, 'x');
	await sandbox.pay({ provider: 'alipay', out_trade_no: outTradeNo, amount: yuan, notify_url: 'http://127.0.0.1:9/nowhere' });
	return outTradeNo;
}

const refundsOf = (outTradeNo: string) => sandbox.refunds().filter((r) => r.out_trade_no === outTradeNo);
const allText = (result: RunNodeResult) => JSON.stringify({ items: result.items, error: result.error?.message, description: result.error?.description });

describe('Alipay refunds', () => {
	it('refunds once; the same Refund Key again is already_refunded and pays nothing', async () => {
		const outTradeNo = await paid();
		const first = await refund({ outTradeNo, refundAmount: 3.5, refundKey: 'dsr-1000-1', reason: '出货失败' });
		expect(first.error).toBeUndefined();
		const item = first.items[0].json;
		expect(item).toMatchObject({ outcome: 'refunded', out_trade_no: outTradeNo, refund_key: 'dsr-1000-1', refund_amount: 3.5, provider_status: 'fund_change=Y' });
		expect(item).not.toHaveProperty('provider');
		// Alipay's refund answer has no total: no total_amount (the Create operation has no Total Amount either)
		expect(Object.keys(item).sort()).toEqual(['outcome', 'out_trade_no', 'refund_key', 'refund_id', 'refund_amount', 'provider_status', 'refunded_at', 'reason', 'reasonZh'].sort());
		expect(item.refunded_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/);
		expect(item.reason).toEqual(expect.stringContaining('refunded'));
		expect(item.reasonZh).toEqual(expect.stringContaining('退款'));
		const again = await refund({ outTradeNo, refundAmount: 3.5, refundKey: 'dsr-1000-1' });
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ outcome: 'already_refunded', refund_key: 'dsr-1000-1', provider_status: 'REFUND_SUCCESS', total_amount: 3.5 });
		expect(again.items[0].json).not.toHaveProperty('provider');
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ provider: 'alipay', refund_key: 'dsr-1000-1', refund_fen: 350, attempts: 1 })]);
	});

	it('the default Refund Key is the incoming item\'s refund_key; two copies of one failed result in one run refund once', async () => {
		const outTradeNo = await paid();
		const parameters = { outTradeNo, refundAmount: 3.5, refundKey: '={{ $json.refund_key }}' };
		const result = await refund(parameters, [{ refund_key: 'dsr-2000-7' }, { refund_key: 'dsr-2000-7' }]);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.outcome)).toEqual(['refunded', 'already_refunded']);
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-2000-7', attempts: 1 })]);
	});

	it('two partial refunds of one payment with two keys: each refunded once', async () => {
		const outTradeNo = await paid(5);
		const result = await refund({ outTradeNo, refundAmount: '={{ $json.yuan }}', refundKey: '={{ $json.refund_key }}' }, [
			{ refund_key: 'dsr-2500-1', yuan: 1.2 },
			{ refund_key: 'dsr-2500-2', yuan: 2 },
		]);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.json.outcome, item.json.refund_key, item.json.refund_amount])).toEqual([
			['refunded', 'dsr-2500-1', 1.2],
			['refunded', 'dsr-2500-2', 2],
		]);
		expect(refundsOf(outTradeNo).map((r) => [r.refund_key, r.refund_fen, r.attempts])).toEqual([
			['dsr-2500-1', 120, 1],
			['dsr-2500-2', 200, 1],
		]);
	});

	it('a refund whose answer was lost is read back, not sent again: refunded once', async () => {
		const outTradeNo = await paid();
		sandbox.loseRefundAnswers(1);
		const result = await refund({ outTradeNo, refundAmount: 3.5, refundKey: 'dsr-1500-1' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ outcome: 'refunded', refund_key: 'dsr-1500-1', refund_amount: 3.5 });
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-1500-1', attempts: 1 })]);
		expect(refundsOf(outTradeNo)[0].reads).toBe(1); // the read-back after the lost answer (the read before found nothing)
	});

	it('Get reads a refund back by Out Trade No and Refund Key (not_found before)', async () => {
		const outTradeNo = await paid();
		const before = (await get(outTradeNo, 'dsr-3000-1')).items[0].json;
		expect(before).toMatchObject({ outcome: 'not_found', out_trade_no: outTradeNo, refund_key: 'dsr-3000-1' });
		expect(before).not.toHaveProperty('refund_id');
		expect(before).not.toHaveProperty('provider');
		await refund({ outTradeNo, refundAmount: 1.25, refundKey: 'dsr-3000-1' });
		const after = (await get(outTradeNo, 'dsr-3000-1')).items[0].json;
		expect(after).toMatchObject({ outcome: 'refunded', out_trade_no: outTradeNo, refund_key: 'dsr-3000-1', refund_amount: 1.25, total_amount: 3.5, provider_status: 'REFUND_SUCCESS' });
		expect(after).not.toHaveProperty('provider');
		// the key belongs to its payment: the same key on another payment is not found
		const other = await paid();
		expect((await get(other, 'dsr-3000-1')).items[0].json).toMatchObject({ outcome: 'not_found', out_trade_no: other });
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ attempts: 1 })]); // Get sent nothing
	});

	it('Get: an Out Trade No or Refund Key that is not valid names the field and sends nothing', async () => {
		const badTrade = await get('bad trade no!', 'k1');
		expect(badTrade.error?.message).toMatch(/"Out Trade No"/);
		expect(String(badTrade.error?.description)).toMatch(/no request was sent/);
		const badKey = await get('A1', 'bad key!');
		expect(badKey.error?.message).toMatch(/"Refund Key"/);
	});

	it('a refusal carries Alipay\'s sub_code and message plus an English explanation; with On Error → Continue the item also carries the Chinese one (messageZh)', async () => {
		const result = await refund({ outTradeNo: 'NO-SUCH-PAYMENT-000000001', refundAmount: 1, refundKey: 'dsr-4000-1' });
		expect(result.error?.message).toContain('ACQ.TRADE_NOT_EXIST');
		expect(String(result.error?.description)).toMatch(/Out Trade No/);
		expect(String(result.error?.description)).not.toMatch(/[\u4e00-\u9fff]/);
		const kept = await refund({ outTradeNo: 'NO-SUCH-PAYMENT-000000001', refundAmount: 1, refundKey: 'dsr-4000-1' }, [{}], { continueOnFail: true });
		expect(kept.items[0].json).toMatchObject({ error: expect.stringContaining('ACQ.TRADE_NOT_EXIST'), messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) });
	});

	it('a refund of more than was paid is refused by Alipay; nothing is recorded', async () => {
		const outTradeNo = await paid(1);
		const result = await refund({ outTradeNo, refundAmount: 2, refundKey: 'dsr-4500-1' });
		expect(result.error?.message).toMatch(/^Alipay refused: ACQ\./);
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('a request signed with another private key is refused by Alipay (and names the key to check)', async () => {
		const outTradeNo = await paid();
		const result = await refund({ outTradeNo, refundAmount: 1, refundKey: 'dsr-5000-1' }, [{}], { creds: { privateKey: otherPrivate } });
		expect(result.error?.message).toContain('isv.invalid-signature');
		expect(String(result.error?.description)).toMatch(/Private Key/);
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('an answer that does not verify with the Alipay public key is not believed; nothing is sent on it', async () => {
		const outTradeNo = await paid();
		const result = await refund({ outTradeNo, refundAmount: 1, refundKey: 'dsr-6000-1' }, [{}], { creds: { alipayPublicKey: otherPublic } });
		expect(result.error?.message).toMatch(/not trusted|does not verify|not signed/);
		// The read-first got an untrusted answer three times: the refund itself was never sent.
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('Alipay cannot be reached: the error says no refund request was sent', async () => {
		const result = await refund({ outTradeNo: 'T-unreachable-0000000001', refundAmount: 1, refundKey: 'dsr-5500-1' }, [{}], { creds: { gatewayUrl: 'http://127.0.0.1:9/gateway.do' } });
		expect(result.error?.message).toMatch(/could not read the refund: no answer \(ECONNREFUSED\)/);
		expect(String(result.error?.description)).toMatch(/^No refund request was sent/);
	});

	it('bad input names the field and sends nothing', async () => {
		const outTradeNo = await paid();
		const cases: Array<[IDataObject, RegExp]> = [
			[{ outTradeNo, refundAmount: 1, refundKey: '={{ $json.refund_key }}' }, /"Refund Key": is empty/],
			[{ outTradeNo, refundAmount: 1.234, refundKey: 'k1' }, /"Refund Amount \(Yuan\)".*at most 2 decimals/],
			[{ outTradeNo, refundAmount: 0, refundKey: 'k1' }, /"Refund Amount \(Yuan\)"/],
			[{ outTradeNo: 'bad trade no!', refundAmount: 1, refundKey: 'k1' }, /"Out Trade No"/],
		];
		for (const [parameters, message] of cases) {
			const result = await refund(parameters);
			expect(result.error?.message).toMatch(message);
			expect(String(result.error?.description)).toMatch(/no request was sent/);
		}
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('a private key that does not parse names the field, never its text', async () => {
		const garbage = 'not-a-key-1234567890abcdef';
		const result = await refund({ outTradeNo: 'T1', refundAmount: 1, refundKey: 'k1' }, [{}], { creds: { privateKey: garbage } });
		expect(result.error?.message).toContain('Credential field "App Private Key"');
		expect(allText(result)).not.toContain(garbage);
	});

	it('no key of the credential appears in outputs or errors', async () => {
		const outTradeNo = await paid();
		const results = [
			await refund({ outTradeNo, refundAmount: 3.5, refundKey: 'dsr-7000-1' }),
			await refund({ outTradeNo: 'NO-SUCH-PAYMENT-000000002', refundAmount: 1, refundKey: 'dsr-7000-2' }),
		];
		expect(results[0].items[0].json.outcome).toBe('refunded');
		expect(results[1].error).toBeDefined();
		const secret = sandbox.alipay.privateKey.split('\n').find((line) => line.length > 40)!;
		expect(secret).toBeDefined();
		for (const result of results) expect(allText(result)).not.toContain(secret);
	});
});

describe('the credential\'s Test button (alipayKeys: offline checks first; payment.test.ts has the online ones)', () => {
	const node = new Alipay();
	// n8n-core's own context for credential tests (its `request` helper reaches the sandbox).
	const context = () => new CredentialTestContext(createAdditionalData(new TestCredentialsHelper({ alipayApi: new AlipayApi() })));
	const test = async (data: IDataObject) => await node.methods.credentialTest.alipayKeys.call(context(), { id: 'c1', name: 'c', type: 'alipayApi', data } as never);

	it('the node names its test function in the credential\'s testedBy', () => {
		expect(node.description.credentials).toEqual([expect.objectContaining({ name: 'alipayApi', testedBy: 'alipayKeys' })]);
	});

	it('accepts the sandbox credential and names the broken field otherwise, never a key', async () => {
		expect(await test({ ...sandbox.alipay })).toMatchObject({ status: 'OK', message: expect.stringContaining('Alipay') });
		const swapped = await test({ ...sandbox.alipay, alipayPublicKey: sandbox.alipay.privateKey });
		expect(swapped).toMatchObject({ status: 'Error', message: expect.stringContaining('"Alipay Public Key"') });
		expect(swapped.message).not.toContain(sandbox.alipay.privateKey.split('\n')[1]);
		const noUrl = await test({ ...sandbox.alipay, gatewayUrl: 'openapi.alipay.com/gateway.do' });
		expect(noUrl).toMatchObject({ status: 'Error', message: expect.stringContaining('"Gateway URL" must be an http(s) URL') });
		expect(await test({ ...sandbox.alipay, appId: '' })).toMatchObject({ status: 'Error', message: expect.stringContaining('"App ID" is empty') });
		const badPrivate = await test({ ...sandbox.alipay, privateKey: sandbox.alipay.alipayPublicKey });
		expect(badPrivate).toMatchObject({ status: 'Error', message: expect.stringContaining('"App Private Key"') });
	});
});
