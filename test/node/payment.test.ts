import '../helpers/n8n/env';

import { generateKeyPairSync } from 'node:crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { AlipayApi } from '../../credentials/AlipayApi.credentials';
import { WeChatPayApi } from '../../credentials/WeChatPayApi.credentials';
import { DingShangPayment } from '../../nodes/DingShangPayment/DingShangPayment.node';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';
import { alipayKeys, weChatPayKeys } from '../../nodes/shared/payments/credentialTest';
import { runNode, type RunNodeResult } from '../helpers/n8n/engine';

/** The DingShang Payment node (Refund) through n8n-core's engine, against the provider sandboxes over real HTTP. */

type Provider = 'weChatPay' | 'alipay';
let sandbox: RunningPaymentSandbox;
let seq = 0;

beforeAll(async () => {
	sandbox = await startPaymentSandbox({ port: 0 });
});
afterAll(async () => await sandbox.close());

const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPrivate = otherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherPublic = otherKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function credentials(override: { weChatPay?: IDataObject; alipay?: IDataObject } = {}) {
	return { weChatPayApi: { ...sandbox.weChatPay, ...override.weChatPay }, alipayApi: { ...sandbox.alipay, ...override.alipay } };
}

function refund(provider: Provider, parameters: IDataObject, items: IDataObject[] = [{}], opts: { continueOnFail?: boolean; creds?: Parameters<typeof credentials>[0] } = {}): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { dingShangPayment: new DingShangPayment() },
		credentialTypes: { weChatPayApi: new WeChatPayApi(), alipayApi: new AlipayApi() },
		credentials: credentials(opts.creds),
		type: 'dingShangPayment',
		parameters: { provider, resource: 'refund', operation: 'create', ...parameters } as INodeParameters,
		items,
		continueOnFail: opts.continueOnFail,
	});
}

/** A payment of `yuan` made in the sandbox (its notification goes nowhere; only the ledger matters here). */
async function paid(provider: Provider, yuan = 3.5): Promise<string> {
	const outTradeNo = `T${Date.now().toString(36)}${String(seq++).padStart(6, '0')}`.padEnd(24, 'x');
	await sandbox.pay({ provider, out_trade_no: outTradeNo, amount: yuan, notify_url: 'http://127.0.0.1:9/nowhere' });
	return outTradeNo;
}

const refundsOf = (outTradeNo: string) => sandbox.refunds().filter((r) => r.out_trade_no === outTradeNo);
const allText = (result: RunNodeResult) => JSON.stringify({ items: result.items, error: result.error?.message, description: result.error?.description });

describe.each(['weChatPay', 'alipay'] as const)('%s refunds', (provider) => {
	const amounts = (refundAmount: number, total = 3.5) => (provider === 'weChatPay' ? { refundAmount, totalAmount: total } : { refundAmount });

	it('refunds once; the same Refund Key again is already_refunded and pays nothing', async () => {
		const outTradeNo = await paid(provider);
		const first = await refund(provider, { outTradeNo, ...amounts(3.5), refundKey: 'dsr-1000-1', reason: '出货失败' });
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ provider, outcome: 'refunded', out_trade_no: outTradeNo, refund_key: 'dsr-1000-1', refund_amount: 3.5 });
		expect(first.items[0].json.reason).toEqual(expect.stringContaining('refunded'));
		expect(first.items[0].json.reasonZh).toEqual(expect.stringContaining('退款'));
		const again = await refund(provider, { outTradeNo, ...amounts(3.5), refundKey: 'dsr-1000-1' });
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ outcome: 'already_refunded', refund_key: 'dsr-1000-1' });
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-1000-1', refund_fen: 350, attempts: 1 })]);
	});

	it('the default Refund Key is the incoming item\'s refund_key; two copies of one failed result in one run refund once', async () => {
		const outTradeNo = await paid(provider);
		const parameters = { outTradeNo, ...amounts(3.5), refundKey: '={{ $json.refund_key }}' };
		const result = await refund(provider, parameters, [{ refund_key: 'dsr-2000-7' }, { refund_key: 'dsr-2000-7' }]);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.outcome)).toEqual(['refunded', 'already_refunded']);
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-2000-7', attempts: 1 })]);
	});

	it('a refund whose answer was lost is read back, not sent again: refunded once', async () => {
		const outTradeNo = await paid(provider);
		sandbox.loseRefundAnswers(1);
		const result = await refund(provider, { outTradeNo, ...amounts(3.5), refundKey: 'dsr-1500-1' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ outcome: 'refunded', refund_key: 'dsr-1500-1', refund_amount: 3.5 });
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ refund_key: 'dsr-1500-1', attempts: 1 })]);
		expect(refundsOf(outTradeNo)[0].reads).toBe(1); // the read-back after the lost answer (the read before found nothing)
	});

	it('Get reads a refund back by its key (not_found before)', async () => {
		const outTradeNo = await paid(provider);
		const get = (refundKey: string) => refund(provider, { operation: 'get', outTradeNo, refundKey });
		expect((await get('dsr-3000-1')).items[0].json).toMatchObject({ outcome: 'not_found', refund_key: 'dsr-3000-1' });
		await refund(provider, { outTradeNo, ...amounts(1.25), refundKey: 'dsr-3000-1' });
		expect((await get('dsr-3000-1')).items[0].json).toMatchObject({ outcome: 'refunded', refund_amount: 1.25 });
	});

	it('a refusal carries the provider\'s code and message plus an explanation in English and 中文', async () => {
		const result = await refund(provider, { outTradeNo: 'NO-SUCH-PAYMENT-000000001', ...amounts(1), refundKey: 'dsr-4000-1' });
		const code = provider === 'weChatPay' ? 'RESOURCE_NOT_EXISTS' : 'ACQ.TRADE_NOT_EXIST';
		expect(result.error?.message).toContain(code);
		expect(String(result.error?.description)).toMatch(/Out Trade No/);
		expect(String(result.error?.description)).toMatch(/[\u4e00-\u9fff]/);
	});

	it('a request signed with another private key is refused by the provider (and names the key to check)', async () => {
		const outTradeNo = await paid(provider);
		const creds = provider === 'weChatPay' ? { weChatPay: { privateKey: otherPrivate } } : { alipay: { privateKey: otherPrivate } };
		const result = await refund(provider, { outTradeNo, ...amounts(1), refundKey: 'dsr-5000-1' }, [{}], { creds });
		expect(result.error?.message).toContain(provider === 'weChatPay' ? 'SIGN_ERROR' : 'isv.invalid-signature');
		expect(String(result.error?.description)).toMatch(/Private Key/);
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('an answer that does not verify with the provider public key is not believed; nothing is sent on it', async () => {
		const outTradeNo = await paid(provider);
		const creds = provider === 'weChatPay' ? { weChatPay: { publicKey: otherPublic } } : { alipay: { alipayPublicKey: otherPublic } };
		const result = await refund(provider, { outTradeNo, ...amounts(1), refundKey: 'dsr-6000-1' }, [{}], { creds });
		expect(result.error?.message).toMatch(/not trusted|does not verify|not signed/);
		// The read-first got an untrusted answer three times: the refund itself was never sent.
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('a provider that cannot be reached: the error says no refund request was sent', async () => {
		const creds = provider === 'weChatPay' ? { weChatPay: { baseUrl: 'http://127.0.0.1:9' } } : { alipay: { gatewayUrl: 'http://127.0.0.1:9/gateway.do' } };
		const result = await refund(provider, { outTradeNo: 'T-unreachable-0000000001', ...amounts(1), refundKey: 'dsr-5500-1' }, [{}], { creds });
		expect(result.error?.message).toMatch(/could not read the refund: no answer \(ECONNREFUSED\)/);
		expect(String(result.error?.description)).toMatch(/^No refund request was sent/);
	});

	it('bad input names the field and sends nothing', async () => {
		const outTradeNo = await paid(provider);
		const cases: Array<[IDataObject, RegExp]> = [
			[{ outTradeNo, ...amounts(1), refundKey: "={{ $json.refund_key }}" }, /"Refund Key": is empty/],
			[{ outTradeNo, ...amounts(1.234), refundKey: 'k1' }, /"Refund Amount \(Yuan\)".*at most 2 decimals/],
			[{ outTradeNo, ...amounts(0), refundKey: 'k1' }, /"Refund Amount \(Yuan\)"/],
			[{ outTradeNo: 'bad trade no!', ...amounts(1), refundKey: 'k1' }, /"Out Trade No"/],
		];
		if (provider === 'weChatPay') cases.push([{ outTradeNo, refundAmount: 4, totalAmount: 3.5, refundKey: 'k1' }, /more than the Total Amount/]);
		for (const [parameters, message] of cases) {
			const result = await refund(provider, parameters);
			expect(result.error?.message).toMatch(message);
			expect(String(result.error?.description)).toMatch(/no request was sent/);
		}
		expect(refundsOf(outTradeNo)).toHaveLength(0);
	});

	it('a private key that does not parse names the field, never its text', async () => {
		const garbage = 'not-a-key-1234567890abcdef';
		const creds = provider === 'weChatPay' ? { weChatPay: { privateKey: garbage } } : { alipay: { privateKey: garbage } };
		const result = await refund(provider, { outTradeNo: 'T1', ...amounts(1), refundKey: 'k1' }, [{}], { creds });
		expect(result.error?.message).toContain(provider === 'weChatPay' ? 'Credential field "Merchant Private Key"' : 'Credential field "App Private Key"');
		expect(allText(result)).not.toContain(garbage);
	});

	it('no key or secret of the credential appears in outputs or errors', async () => {
		const outTradeNo = await paid(provider);
		const results = [
			await refund(provider, { outTradeNo, ...amounts(3.5), refundKey: 'dsr-7000-1' }),
			await refund(provider, { outTradeNo: 'NO-SUCH-PAYMENT-000000002', ...amounts(1), refundKey: 'dsr-7000-2' }),
		];
		const secrets = [sandbox.weChatPay.apiV3Key, sandbox.weChatPay.privateKey, sandbox.alipay.privateKey].map((pem) => String(pem).split('\n').find((line) => line.length > 40) ?? pem);
		for (const result of results) for (const secret of secrets) expect(allText(result)).not.toContain(secret);
	});
});

describe('WeChat Pay refund states', () => {
	afterEach(() => sandbox.setWeChatRefundStatus('SUCCESS'));

	it('PROCESSING is outcome processing (green); the same key later says so without sending again', async () => {
		sandbox.setWeChatRefundStatus('PROCESSING');
		const outTradeNo = await paid('weChatPay');
		const parameters = { outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-8000-1' };
		const first = await refund('weChatPay', parameters);
		expect(first.items[0].json).toMatchObject({ outcome: 'processing', provider_status: 'PROCESSING' });
		const again = await refund('weChatPay', parameters);
		expect(again.items[0].json).toMatchObject({ outcome: 'processing' });
		expect(String(again.items[0].json.reason)).toMatch(/nothing new was sent/);
		expect(refundsOf(outTradeNo)).toEqual([expect.objectContaining({ attempts: 1 })]);
	});

	it('ABNORMAL fails the node (red) — the money did not go back; with On Error → Continue the item says outcome failed', async () => {
		sandbox.setWeChatRefundStatus('ABNORMAL');
		const outTradeNo = await paid('weChatPay');
		const parameters = { outTradeNo, refundAmount: 3.5, totalAmount: 3.5, refundKey: 'dsr-9000-1' };
		const red = await refund('weChatPay', parameters);
		expect(red.error?.message).toMatch(/could not refund \(status ABNORMAL\)/);
		const kept = await refund('weChatPay', parameters, [{}], { continueOnFail: true });
		expect(kept.error).toBeUndefined();
		expect(kept.items[0].json).toMatchObject({ outcome: 'failed', provider_status: 'ABNORMAL', error: expect.stringContaining('ABNORMAL') });
	});
});

describe('the credentials\' Test button (offline checks)', () => {
	const test = async (fn: typeof weChatPayKeys, data: IDataObject) =>
		await fn.call({} as never, { id: 'c1', name: 'c', type: 'x', data } as never);

	it('accepts the sandbox credentials and names the broken field otherwise, never a key', async () => {
		expect(await test(weChatPayKeys, { ...sandbox.weChatPay })).toMatchObject({ status: 'OK' });
		expect(await test(alipayKeys, { ...sandbox.alipay })).toMatchObject({ status: 'OK' });
		const shortKey = await test(weChatPayKeys, { ...sandbox.weChatPay, apiV3Key: 'short' });
		expect(shortKey).toMatchObject({ status: 'Error', message: expect.stringContaining('"APIv3 Key"') });
		const swapped = await test(alipayKeys, { ...sandbox.alipay, alipayPublicKey: sandbox.alipay.privateKey });
		expect(swapped).toMatchObject({ status: 'Error', message: expect.stringContaining('"Alipay Public Key"') });
		expect(swapped.message).not.toContain(sandbox.alipay.privateKey.split('\n')[1]);
		const noUrl = await test(weChatPayKeys, { ...sandbox.weChatPay, baseUrl: 'api.mch.weixin.qq.com' });
		expect(noUrl).toMatchObject({ status: 'Error', message: expect.stringContaining('"Base URL" must be an http(s) URL') });
	});
});
