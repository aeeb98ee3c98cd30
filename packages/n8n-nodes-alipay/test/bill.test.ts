import '../../../test/helpers/n8n/env';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { AlipayApi } from '../credentials/AlipayApi.credentials';
import { Alipay } from '../nodes/Alipay/Alipay.node';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { runNode, type RunNodeResult } from '../../../test/helpers/n8n/engine';

/** Bill → Get through n8n-core's engine against the payment sandbox over real HTTP (signed query, zip download). */

const chinaDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
/** Seconds from the sandbox's now to 10:00:05 China time the day after `day`. */
const toNextMorning = (sb: RunningPaymentSandbox, day: string) => (Date.parse(`${day}T10:00:05+08:00`) + 86_400_000 - sb.clock.now()) / 1000;

function run(sb: RunningPaymentSandbox, parameters: IDataObject): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { alipay: new Alipay() },
		credentialTypes: { alipayApi: new AlipayApi() },
		credentials: { alipayApi: { ...sb.alipay } },
		type: 'alipay',
		parameters: { resource: 'bill', operation: 'get', ...parameters } as INodeParameters,
	});
}

describe('Alipay Bill → Get', () => {
	let sb: RunningPaymentSandbox;
	beforeAll(async () => {
		sb = await startPaymentSandbox({ port: 0 });
	});
	afterAll(async () => await sb.close());

	it('yesterday\'s bill after 10:00: one item per payment and refund, typed, then the summary; before 10:00 a refusal that says why', async () => {
		const stamp = Date.now().toString(36);
		const pay = (n: number, amount: string, attach = '') => sb.pay({ provider: 'alipay', out_trade_no: `BILL${stamp}${n}`, amount, attach, notify_url: 'http://127.0.0.1:9/n' });
		await pay(1, '3.50', 'machine_no=10000001&order_id=41');
		await pay(2, '2.00', 'machine_no=10000002&order_id=42');
		const refunded = await run(sb, { resource: 'refund', operation: 'create', outTradeNo: `BILL${stamp}2`, refundAmount: 2, refundKey: 'dsr-42-1' });
		expect(refunded.error).toBeUndefined();
		const day = chinaDate(sb.clock.now());

		const early = await run(sb, { billDate: day });
		expect(early.error?.message).toBe('Alipay refused: isp.bill_not_exist 账单不存在');
		expect(String(early.error?.description)).toContain('ready after 10:00 China time the next day');

		sb.clock.advance(toNextMorning(sb, day));
		const result = await run(sb, { billDate: day });
		expect(result.error).toBeUndefined();
		const items = result.items.map((item) => item.json);
		const trades = items.filter((item) => item.row_type === 'trade');
		expect(trades.map((item) => [item.out_trade_no, item.business_type, item.receipt_amount])).toEqual([
			[`BILL${stamp}1`, 'payment', 3.5],
			[`BILL${stamp}2`, 'payment', 2],
			[`BILL${stamp}2`, 'refund', -2],
		]);
		expect(trades[0]).toMatchObject({ bill_date: day, order_amount: 3.5, remark: { machine_no: '10000001', order_id: '41' } });
		expect(trades[0].finished_at).toMatch(new RegExp(`^${day}T\\d\\d:\\d\\d:\\d\\d\\+08:00$`));
		expect(trades[2]).toMatchObject({ out_request_no: 'dsr-42-1', refund_amount: 2 });
		expect(items.at(-1)).toMatchObject({ row_type: 'summary', scope: 'total', payment_count: 2, refund_count: 1, order_amount: 5.5, receipt_amount: 3.5 });
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('a Bill Date that is not a day: an error naming the field, nothing sent', async () => {
		const result = await run(sb, { billDate: '30.11.2026' });
		expect(result.error?.message).toBe('Invalid "Bill Date": expected a day as YYYY-MM-DD, e.g. 2026-11-30, got "30.11.2026"');
	});
});

describe('Alipay Bill → Get, a link that expires before it is fetched', () => {
	let fast: RunningPaymentSandbox;
	// 100,000× faster: the link's 30 s pass in 0.3 ms, between the query's answer and the download.
	beforeAll(async () => {
		fast = await startPaymentSandbox({ port: 0, timeScale: 0.00001 });
	});
	afterAll(async () => await fast.close());

	it('fails naming the expired URL', async () => {
		const day = chinaDate(fast.clock.now() - 86_400_000 * 2);
		const result = await run(fast, { billDate: day });
		expect(result.error?.message).toBe(`Alipay: the bill download URL for ${day} expired before it was fetched`);
		expect(String(result.error?.description)).toContain('valid for 30 seconds');
	});
});
