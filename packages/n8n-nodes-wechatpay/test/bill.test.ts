import '../../../test/helpers/n8n/env';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { WeChatPayApi } from '../credentials/WeChatPayApi.credentials';
import { WeChatPay } from '../nodes/WeChatPay/WeChatPay.node';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { runNode, type RunNodeResult } from '../../../test/helpers/n8n/engine';

/** Bill → Get through n8n-core's engine, against the payment sandbox's bills over real HTTP. */

let sandbox: RunningPaymentSandbox;
let day = '';
const paid: Record<string, IDataObject> = {};

const CHINA = 8 * 3600_000;
const chinaDay = (ms: number) => new Date(ms + CHINA).toISOString().slice(0, 10);
function advanceTo(hour: number): void {
	const now = sandbox.clock.now();
	let target = Date.parse(`${chinaDay(now)}T${String(hour).padStart(2, '0')}:00:00+08:00`);
	if (target <= now) target += 86400_000;
	sandbox.advanceClock((target - now) / 1000);
}

function run(parameters: IDataObject, opts: { continueOnFail?: boolean } = {}): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { weChatPay: new WeChatPay() },
		credentialTypes: { weChatPayApi: new WeChatPayApi() },
		credentials: { weChatPayApi: { ...sandbox.weChatPay } },
		type: 'weChatPay',
		parameters: { resource: 'bill', operation: 'get', ...parameters } as INodeParameters,
		continueOnFail: opts.continueOnFail,
	});
}

beforeAll(async () => {
	sandbox = await startPaymentSandbox({ port: 0 });
	advanceTo(12);
	for (const [no, fen, attach] of [
		['DS-B-1', 350, 'machine_no=10000001&order_id=1001'],
		['DS-B-2', 500, 'machine_no=10000002&order_id=1002'],
	] as const) {
		await sandbox.pay({ provider: 'weChatPay', out_trade_no: no, amount_fen: fen, notify_url: 'http://127.0.0.1:9/nowhere', attach });
	}
	for (const p of sandbox.state().payments as IDataObject[]) paid[String(p.out_trade_no)] = p;
	const refund = await runNode({
		nodeTypes: { weChatPay: new WeChatPay() },
		credentialTypes: { weChatPayApi: new WeChatPayApi() },
		credentials: { weChatPayApi: { ...sandbox.weChatPay } },
		type: 'weChatPay',
		parameters: { resource: 'refund', operation: 'create', outTradeNo: 'DS-B-2', refundAmount: 5, totalAmount: 5, refundKey: 'dsr-1002-1' },
	});
	expect(refund.error).toBeUndefined();
	day = chinaDay(Date.parse(String(paid['DS-B-1'].paid_at)));
});
afterAll(async () => await sandbox.close());

describe('WeChat Pay Bill → Get', () => {
	it('before 10:00 the next day: WeChat Pay\'s STATEMENT_CREATING, explained', async () => {
		const result = await run({ billDate: day, billType: 'ALL' });
		expect(result.error?.message).toContain('STATEMENT_CREATING');
		expect(String(result.error?.description)).toMatch(/after 10:00 China time/);
	});

	it('ALL: one item per row (typed, attach parsed), then the summary item', async () => {
		advanceTo(10);
		const result = await run({ billDate: day, billType: 'ALL' });
		expect(result.error).toBeUndefined();
		const items = result.items.map((item) => item.json);
		expect(items.map((item) => [item.row_type, item.trade_state ?? null])).toEqual([
			['trade', 'SUCCESS'],
			['trade', 'SUCCESS'],
			['trade', 'REFUND'],
			['summary', null],
		]);
		expect(items[0]).toMatchObject({
			bill_date: day,
			bill_type: 'ALL',
			out_trade_no: 'DS-B-1',
			transaction_id: paid['DS-B-1'].transaction_id,
			trade_time: expect.stringMatching(new RegExp(`^${day}T\\d\\d:\\d\\d:\\d\\d\\+08:00$`)),
			order_amount: 3.5,
			settlement_amount: 3.5,
			attach: { machine_no: '10000001', order_id: '1001' },
			refund_id: null,
		});
		expect(Date.parse(String(items[0].trade_time))).toBe(Math.floor(Date.parse(String(paid['DS-B-1'].paid_at)) / 1000) * 1000);
		expect(items[2]).toMatchObject({ out_trade_no: 'DS-B-2', out_refund_no: 'dsr-1002-1', refund_amount: 5, refund_status: 'SUCCESS', attach: { order_id: '1002' } });
		expect(items[3]).toMatchObject({ row_type: 'summary', bill_date: day, trade_count: 3, order_total: 8.5, refund_total: 5, fee_total: 0.021 });
		// Every item is paired with the input item.
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('SUCCESS and REFUND: their own rows', async () => {
		const success = await run({ billDate: day, billType: 'SUCCESS' });
		expect(success.items.map((item) => item.json.out_trade_no ?? 'summary')).toEqual(['DS-B-1', 'DS-B-2', 'summary']);
		const refunds = await run({ billDate: day, billType: 'REFUND' });
		expect(refunds.items.map((item) => item.json.out_refund_no ?? 'summary')).toEqual(['dsr-1002-1', 'summary']);
		expect(refunds.items[0].json.refund_create_time).toMatch(/\+08:00$/);
	});

	it('a day without trades: the summary alone, all zero, saying so', async () => {
		const before = chinaDay(Date.parse(`${day}T12:00:00+08:00`) - 86400_000);
		const result = await run({ billDate: before, billType: 'ALL' });
		expect(result.items.map((item) => item.json)).toEqual([expect.objectContaining({ row_type: 'summary', bill_date: before, trade_count: 0, order_total: 0, note: expect.stringContaining('no bill') })]);
	});

	it('the default Bill Date is yesterday in China time', async () => {
		const result = await run({ billType: 'SUCCESS' });
		expect(result.items.at(-1)?.json.bill_date).toBe(chinaDay(Date.now() - 86400_000));
	});

	it('a file unlike its hash, a cut-off download and an expired link each fail with a message that names them', async () => {
		sandbox.weChatBillFault('alter');
		expect((await run({ billDate: day })).error?.message).toMatch(/SHA1 hash does not match/);
		sandbox.weChatBillFault('truncate');
		expect((await run({ billDate: day })).error?.message).toMatch(/not a complete gzip file \(truncated/);
		sandbox.weChatBillFault('expire');
		const expired = await run({ billDate: day }, { continueOnFail: true });
		expect(expired.items[0].json.error).toMatch(/download URL was refused \(HTTP 400: INVALID_REQUEST .*\); it is valid for 30 seconds only/);
		expect((await run({ billDate: day })).error).toBeUndefined(); // the faults were one-off
	});

	it('bad input names the field and sends nothing', async () => {
		const result = await run({ billDate: '30/11/2026' });
		expect(result.error?.message).toMatch(/"Bill Date"/);
		expect(String(result.error?.description)).toMatch(/no request was sent/);
	});
});
