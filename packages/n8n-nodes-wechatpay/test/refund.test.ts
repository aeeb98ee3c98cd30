import '../../../test/helpers/n8n/env';

import { generateKeyPairSync } from 'node:crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { WeChatPayApi } from '../credentials/WeChatPayApi.credentials';
import { WeChatPay } from '../nodes/WeChatPay/WeChatPay.node';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { runNode, type RunNodeResult } from '../../../test/helpers/n8n/engine';

/** The WeChat Pay node (Refund → Create / Get) through n8n-core's engine, against the payment sandbox over real HTTP. */

let sandbox: RunningPaymentSandbox;
let seq = 0;

beforeAll(async () => {
	sandbox = await startPaymentSandbox({ port: 0 });
});
afterAll(async () => await sandbox.close());

const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPrivate = otherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherPublic = otherKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Every field a refund item may carry (no `provider` any more: the node is WeChat Pay's own). */
const ITEM_KEYS = ['outcome', 'out_trade_no', 'refund_key', 'refund_id', 'refund_amount', 'total_amount', 'provider_status', 'refunded_at', 'reason', 'reasonZh'];

function refund(parameters: IDataObject, items: IDataObject[] = [{}], opts: { continueOnFail?: boolean; creds?: IDataObject } = {}): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { weChatPay: new WeChatPay() },
		credentialTypes: { weChatPayApi: new WeChatPayApi() },
		credentials: { weChatPayApi: { ...sandbox.weChatPay, ...opts.creds } },
		type: 'weChatPay',
		parameters: { resource: 'refund', operation: 'create', ...parameters } as INodeParameters,
		items,
		continueOnFail: opts.continueOnFail,
	});
}
const get = (refundKey: string) => refund({ operation: 'get', refundKey });

/** A payment of `yuan` made in the sandbox (its notification goes nowhere; only the ledger matters here). */
async function paid(yuan = 3.5): Promise<string> {
	const outTradeNo = `T${Date.now().toString(36)}${String(seq++).padStart(6, '0')}`.padEnd(24, 'x');
	await sandbox.pay({ provider: 'weChatPay', out_trade_no: outTradeNo, amount: yuan, notify_url: 'http://127.0.0.1:9/nowhere' });
	return outTradeNo;
}

const refundsOf = (outTradeNo: string) => sandbox.refunds().filter((r) => r.out_trade_no === outTradeNo);
const allText = (result: RunNodeResult) => JSON.stringify({ items: result.items, error: result.error?.message, description: result.error?.description });

describe('WeChat Pay refunds', () => {
	it('refunds once; the same Refund Key again is already_refunded and pays nothing', async () => {
		const outTradeNo = await paid();
		const first = await refund({ outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-1000-1', reason: '出货失败' });
		expect(first.error).toBeUndefined();
		const item = first.items[0].json;
		expect(item).toMatchObject({ outcome: 'refunded', out_trade_no: outTradeNo, refund_key: 'dsr-1000-1', refund_amount: 3.5, total_amount: 3.5, provider_status: 'SUCCESS' });
		expect(item).not.toHaveProperty('provider');
		expect(Object.keys(item).sort()).toEqual([...ITEM_KEYS].sort());
		const ledger = refundsOf(outTradeNo);
		expect(item.refund_id).toBe(ledger[0].refund_id);
		expect(item.reason).toEqual(expect.stringContaining('refunded'));
		expect(item.reasonZh).toEqual(expect.stringContaining('退款'));
		const again = await refund({ outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-1000-1' });
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ outcome: 'already_refunded', refund_key: 'dsr-1000-1', refund_id: ledger[0].refund_id });
		expect(again.items[0].json).not.toHaveProperty('provider');
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ provider: 'weChatPay', refund_key: 'dsr-1000-1', refund_fen: 350, attempts: 1 })]);
	});

	it('the default Refund Key is the incoming item\'s refund_key; two copies of one failed result in one run refund once', async () => {
		const outTradeNo = await paid();
		const parameters = { outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: '={{ $json.refund_key }}' };
		const result = await refund(parameters, [{ refund_key: 'dsr-2000-7' }, { refund_key: 'dsr-2000-7' }]);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.outcome)).toEqual(['refunded', 'already_refunded']);
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-2000-7', attempts: 1 })]);
	});

	it('a partial refund: refund_amount is the part, total_amount the whole payment', async () => {
		const outTradeNo = await paid(5);
		const result = await refund({ outTradeNo, refundAmount: 1.2, totalAmount: 5, refundKey: 'dsr-2500-1' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ outcome: 'refunded', refund_amount: 1.2, total_amount: 5 });
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_fen: 120 })]);
	});

	it('a refund whose answer was lost is read back, not sent again: refunded once', async () => {
		const outTradeNo = await paid();
		sandbox.loseRefundAnswers(1);
		const result = await refund({ outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-1500-1' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ outcome: 'refunded', refund_key: 'dsr-1500-1', refund_amount: 3.5 });
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-1500-1', attempts: 1 })]);
		expect(refundsOf(outTradeNo)[0].reads).toBe(1); // the read-back after the lost answer (the read before found nothing)
	});

	it('Get reads a refund back by its key alone (not_found before) and fills out_trade_no from the answer', async () => {
		const outTradeNo = await paid();
		const before = (await get('dsr-3000-1')).items[0].json;
		expect(before).toMatchObject({ outcome: 'not_found', refund_key: 'dsr-3000-1', out_trade_no: '' });
		expect(before).not.toHaveProperty('refund_id');
		expect(before).not.toHaveProperty('provider');
		await refund({ outTradeNo, refundAmount: 1.25, totalAmount: 3.5, refundKey: 'dsr-3000-1' });
		const after = (await get('dsr-3000-1')).items[0].json;
		expect(after).toMatchObject({ outcome: 'refunded', out_trade_no: outTradeNo, refund_key: 'dsr-3000-1', refund_amount: 1.25, total_amount: 3.5, provider_status: 'SUCCESS' });
		expect(after.refund_id).toBe(refundsOf(outTradeNo)[0].refund_id);
		expect(after).not.toHaveProperty('provider');
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ attempts: 1 })]); // Get sent nothing
	});

	it('Get: a Refund Key that is not valid names the field and sends nothing', async () => {
		const result = await get('bad key!');
		expect(result.error?.message).toMatch(/"Refund Key"/);
		expect(String(result.error?.description)).toMatch(/no request was sent/);
	});

	it('a refusal carries WeChat Pay\'s code and message plus an English explanation; with On Error → Continue the item also carries the Chinese one (messageZh)', async () => {
		const result = await refund({ outTradeNo: 'NO-SUCH-PAYMENT-000000001', refundAmount: 1, totalAmount: 3.5, refundKey: 'dsr-4000-1' });
		expect(result.error?.message).toContain('RESOURCE_NOT_EXISTS');
		expect(String(result.error?.description)).toMatch(/Out Trade No/);
		expect(String(result.error?.description)).not.toMatch(/[\u4e00-\u9fff]/);
		const kept = await refund({ outTradeNo: 'NO-SUCH-PAYMENT-000000001', refundAmount: 1, totalAmount: 3.5, refundKey: 'dsr-4000-1' }, [{}], { continueOnFail: true });
		expect(kept.items[0].json).toMatchObject({ error: expect.stringContaining('RESOURCE_NOT_EXISTS'), messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) });
	});

	it('a request signed with another private key is refused by WeChat Pay (and names the key to check)', async () => {
		const outTradeNo = await paid();
		const result = await refund({ outTradeNo, refundAmount: 1, totalAmount: 3.5, refundKey: 'dsr-5000-1' }, [{}], { creds: { privateKey: otherPrivate } });
		expect(result.error?.message).toContain('SIGN_ERROR');
		expect(String(result.error?.description)).toMatch(/Private Key/);
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('an answer that does not verify with the WeChat Pay public key is not believed; nothing is sent on it', async () => {
		const outTradeNo = await paid();
		const result = await refund({ outTradeNo, refundAmount: 1, totalAmount: 3.5, refundKey: 'dsr-6000-1' }, [{}], { creds: { publicKey: otherPublic } });
		expect(result.error?.message).toMatch(/not trusted|does not verify|not signed/);
		// The read-first got an untrusted answer three times: the refund itself was never sent.
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('WeChat Pay cannot be reached: the error says no refund request was sent', async () => {
		const result = await refund({ outTradeNo: 'T-unreachable-0000000001', refundAmount: 1, totalAmount: 3.5, refundKey: 'dsr-5500-1' }, [{}], { creds: { baseUrl: 'http://127.0.0.1:9' } });
		expect(result.error?.message).toMatch(/could not read the refund: no answer \(ECONNREFUSED\)/);
		expect(String(result.error?.description)).toMatch(/^No refund request was sent/);
	});

	it('bad input names the field and sends nothing', async () => {
		const outTradeNo = await paid();
		const cases: Array<[IDataObject, RegExp]> = [
			[{ outTradeNo, refundAmount: 1, totalAmount: 3.5, refundKey: '={{ $json.refund_key }}' }, /"Refund Key": is empty/],
			[{ outTradeNo, refundAmount: 1.234, totalAmount: 3.5, refundKey: 'k1' }, /"Refund Amount \(Yuan\)".*at most 2 decimals/],
			[{ outTradeNo, refundAmount: 0, totalAmount: 3.5, refundKey: 'k1' }, /"Refund Amount \(Yuan\)"/],
			[{ outTradeNo, refundAmount: 1, totalAmount: 0, refundKey: 'k1' }, /"Total Amount \(Yuan\)"/],
			[{ outTradeNo: 'bad trade no!', refundAmount: 1, totalAmount: 3.5, refundKey: 'k1' }, /"Out Trade No"/],
			[{ outTradeNo, refundAmount: 4, totalAmount: 3.5, refundKey: 'k1' }, /more than the Total Amount/],
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
		const result = await refund({ outTradeNo: 'T1', refundAmount: 1, totalAmount: 3.5, refundKey: 'k1' }, [{}], { creds: { privateKey: garbage } });
		expect(result.error?.message).toContain('Credential field "Merchant Private Key"');
		expect(allText(result)).not.toContain(garbage);
	});

	it('no key or secret of the credential appears in outputs or errors', async () => {
		const outTradeNo = await paid();
		const results = [
			await refund({ outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-7000-1' }),
			await refund({ outTradeNo: 'NO-SUCH-PAYMENT-000000002', refundAmount: 1, totalAmount: 3.5, refundKey: 'dsr-7000-2' }),
		];
		expect(results[0].items[0].json.outcome).toBe('refunded');
		expect(results[1].error).toBeDefined();
		const secrets = [sandbox.weChatPay.apiV3Key, sandbox.weChatPay.privateKey].map((pem) => String(pem).split('\n').find((line) => line.length > 40) ?? pem);
		for (const result of results) for (const secret of secrets) expect(allText(result)).not.toContain(secret);
	});
});

describe('WeChat Pay refund states', () => {
	afterEach(() => sandbox.setWeChatRefundStatus('SUCCESS'));

	it('PROCESSING is outcome processing (green); the same key later says so without sending again', async () => {
		sandbox.setWeChatRefundStatus('PROCESSING');
		const outTradeNo = await paid();
		const parameters = { outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-8000-1' };
		const first = await refund(parameters);
		expect(first.items[0].json).toMatchObject({ outcome: 'processing', provider_status: 'PROCESSING', refunded_at: null });
		const again = await refund(parameters);
		expect(again.items[0].json).toMatchObject({ outcome: 'processing' });
		expect(String(again.items[0].json.reason)).toMatch(/nothing new was sent/);
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ attempts: 1 })]);
		// and it moves on: Get sees it refunded once WeChat Pay says SUCCESS
		sandbox.setWeChatRefundStatus('SUCCESS', 'dsr-8000-1');
		const later = (await get('dsr-8000-1')).items[0].json;
		expect(later).toMatchObject({ outcome: 'refunded', out_trade_no: outTradeNo, provider_status: 'SUCCESS' });
		expect(typeof later.refunded_at).toBe('string');
	});

	it('ABNORMAL fails the node (red) — the money did not go back; with On Error → Continue the item says outcome failed', async () => {
		sandbox.setWeChatRefundStatus('ABNORMAL');
		const outTradeNo = await paid();
		const parameters = { outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-9000-1' };
		const red = await refund(parameters);
		expect(red.error?.message).toMatch(/could not refund \(status ABNORMAL\)/);
		const kept = await refund(parameters, [{}], { continueOnFail: true });
		expect(kept.error).toBeUndefined();
		expect(kept.items[0].json).toMatchObject({ outcome: 'failed', provider_status: 'ABNORMAL', error: expect.stringContaining('ABNORMAL') });
		expect(kept.items[0].json).not.toHaveProperty('provider');
	});
});

describe('the credential\'s Test button (weChatPayKeys): the offline checks first', () => {
	const node = new WeChatPay();
	const test = async (data: IDataObject) => await node.methods.credentialTest.weChatPayKeys.call({} as never, { id: 'c1', name: 'c', type: 'weChatPayApi', data } as never);

	it('the node names its test function in the credential\'s testedBy', () => {
		expect(node.description.credentials).toEqual([expect.objectContaining({ name: 'weChatPayApi', testedBy: 'weChatPayKeys' })]);
	});

	// Online proof of every key: credentialTest.test.ts (through n8n-core's CredentialTestContext).
	it('names the broken field before anything is sent, never a key', async () => {
		expect(await test({ ...sandbox.weChatPay, apiV3Key: 'short' })).toMatchObject({ status: 'Error', message: expect.stringContaining('"APIv3 Key"') });
		const noUrl = await test({ ...sandbox.weChatPay, baseUrl: 'api.mch.weixin.qq.com' });
		expect(noUrl).toMatchObject({ status: 'Error', message: expect.stringContaining('"Base URL" must be an http(s) URL') });
		const swapped = await test({ ...sandbox.weChatPay, publicKey: sandbox.weChatPay.privateKey });
		expect(swapped).toMatchObject({ status: 'Error', message: expect.stringContaining('"WeChat Pay Public Key"') });
		expect(swapped.message).not.toContain(sandbox.weChatPay.privateKey.split('\n')[1]);
		expect(await test({ ...sandbox.weChatPay, serialNo: '  ' })).toMatchObject({ status: 'Error', message: expect.stringContaining('"Merchant Certificate Serial No" is empty') });
	});
});
