import { readHandled, writeHandled } from '../../nodes/DingShangUnfinishedPaymentsTrigger/handled';
import type { ExecutionSummary } from '../../nodes/DingShangUnfinishedPaymentsTrigger/n8nApi';
import { ownReport, refundDueItems } from '../../nodes/DingShangUnfinishedPaymentsTrigger/ownExecutions';
import { paymentOf, paymentsOfExecution, startItems, startOutputs, whatHappened } from '../../nodes/DingShangUnfinishedPaymentsTrigger/paymentOfExecution';
import { parseSettings } from '../../nodes/DingShangUnfinishedPaymentsTrigger/settings';
import { OUTPUT_OF } from '../../nodes/DingShangUnfinishedPaymentsTrigger/finishPayment';
import { describe as describePayment, minutesSince, notDispensed, refund, refundLines, whyNotDispensed } from '../../nodes/shared/dingshang/finishOutcome';
import type { OrderRecord } from '../../nodes/shared/dingshang/orders';
import { optionalYuan, paidAt } from '../../nodes/DingShangVending/actions/validate';

const good = { workflowIds: ['dsExampleWxPay01'], windowMinutes: 3, checkEverySeconds: 15, lookBackHours: 24 };
const STARTED = '2026-12-03T10:00:00.000Z';
const notification = { provider: 'weChatPay', out_trade_no: 'T1', transaction_id: '4200', amount: 3.5, paid_at: '2026-12-03T09:59:58.000Z', machine_no: '10000001', order_id: 1001 };

describe('Unfinished Payments settings', () => {
	it('accepts good settings, a comma list of IDs, and drops repeats', () => {
		expect(parseSettings(good)).toEqual(good);
		expect(parseSettings({ ...good, workflowIds: 'a1, b2,a1' }).workflowIds).toEqual(['a1', 'b2']);
	});

	it.each([
		[{ windowMinutes: 0 }, 'Invalid "Dispense Window (Minutes)": must be more than 0 and at most 1440 minutes, got 0'],
		[{ windowMinutes: -1 }, 'Invalid "Dispense Window (Minutes)": must be more than 0 and at most 1440 minutes, got -1'],
		[{ windowMinutes: '' }, 'Invalid "Dispense Window (Minutes)": must be more than 0 and at most 1440 minutes, got nothing'],
		[{ checkEverySeconds: 1 }, 'Invalid "Check Every (Seconds)": must be at least 5 and at most 300 seconds, got 1'],
		[{ lookBackHours: 500 }, 'Invalid "Look Back (Hours)": must be at least 1 and at most 168 hours, got 500'],
		[{ workflowIds: [] }, 'Invalid "Payment Workflow Names or IDs": choose at least one workflow whose payments must end dispensed or refunded'],
		[{ workflowIds: ['has space'] }, 'Invalid "Payment Workflow Names or IDs": "has space" is not a workflow ID'],
	])('%j → %s', (bad, message) => {
		expect(() => parseSettings({ ...good, ...bad })).toThrow(message);
	});
});

describe('the handled list in static data', () => {
	it('round-trips, oldest first, and forgets lines older than the cutoff', () => {
		const handled = new Map([
			['wf/12', 2_000],
			['wf/3', 1_000],
			['wf/old', 10],
		]);
		const text = writeHandled(handled, 500);
		expect(text.split('\n').map((l) => l.split(' ')[1])).toEqual(['wf/3', 'wf/12']);
		expect([...readHandled(text, 0)]).toEqual([
			['wf/3', 1_000],
			['wf/12', 2_000],
		]);
		expect([...readHandled(text, 1_500).keys()]).toEqual(['wf/12']);
		expect(readHandled(undefined, 0).size).toBe(0);
	});
});

describe('the payment an execution started with', () => {
	it('is read from the stack while the trigger has not run', () => {
		const data = { executionData: { nodeExecutionStack: [{ node: {}, data: { main: [[{ json: notification }]] }, source: null }] }, resultData: { runData: {} } };
		expect(paymentsOfExecution(data, STARTED)).toEqual([
			{ machine_no: '10000001', order_id: '1001', provider: 'weChatPay', out_trade_no: 'T1', transaction_id: '4200', amount: 3.5, paid_at: '2026-12-03T09:59:58.000Z' },
		]);
	});

	it("is read from the trigger's run data, skipping n8n's crash placeholders and nodes with a source", () => {
		const runData = {
			'Mark order paid': [{ source: [{ previousNode: 'Payment received' }], data: { main: [[{ json: { machine_no: '10000009', order_id: 9 } }]] } }],
			'Payment received': [{ source: [], data: { main: [[{ json: notification }]] } }],
		};
		expect(startItems({ executionData: { nodeExecutionStack: [] }, resultData: { runData } })).toEqual([notification]);
		const artificial = { 'Payment received': [{ source: [], data: { main: [[{ json: { isArtificialRecoveredEventItem: true } }]] } }] };
		expect(startItems({ resultData: { runData: artificial } })).toEqual([]);
	});

	it("takes a webhook's body (workflow 1) and the execution start when the item has no paid_at", () => {
		expect(paymentOf({ headers: {}, body: { machine_no: '10000002', order_id: '77' } }, STARTED)).toEqual({ machine_no: '10000002', order_id: '77', paid_at: STARTED });
	});

	it('is none when the item names no machine and order (n8n wiped the data, or another workflow)', () => {
		expect(paymentOf({ body: { hello: 1 } }, STARTED)).toBeUndefined();
		expect(paymentOf({ machine_no: '123', order_id: 5 }, STARTED)).toBeUndefined();
		expect(paymentsOfExecution({ executionData: { nodeExecutionStack: [] }, resultData: { runData: {} } }, STARTED)).toEqual([]);
	});

	it('says what happened in both languages', () => {
		expect(whatHappened('crashed', { resultData: { lastNodeExecuted: 'Dispense' } })).toEqual({
			en: 'n8n stopped while running this payment at "Dispense" (crashed).',
			zh: 'n8n 在处理这笔付款时中断（在“Dispense”）（崩溃）。',
		});
		expect(whatHappened('error', { resultData: { error: { message: 'job stalled' } } }).en).toBe("The payment's execution ended with an error: job stalled.");
	});
});

describe("the payment triggers' items (provider recognised by shape, order from attach)", () => {
	const weChatPay = {
		mchid: '1900000109',
		appid: 'wx0000000000000001',
		out_trade_no: 'T2',
		transaction_id: '4200000001',
		trade_state: 'SUCCESS',
		success_time: '2026-12-03T17:59:58+08:00',
		amount: { total: 350, payer_total: 350, currency: 'CNY' },
		payer: { openid: 'o1' },
		attach: { machine_no: '10000001', order_id: '1234' },
	};
	const alipay = { app_id: '2021', out_trade_no: 'T3', trade_no: '2026120322001', trade_status: 'TRADE_SUCCESS', total_amount: '3.50', gmt_payment: '2026-12-03 17:59:58', buyer_id: '2088', passback_params: { machine_no: '10000002', order_id: '55' } };

	it('WeChat Pay: transaction_id + amount.total in fen → yuan, success_time, attach object', () => {
		expect(paymentOf(weChatPay, STARTED)).toEqual({ machine_no: '10000001', order_id: '1234', provider: 'weChatPay', out_trade_no: 'T2', transaction_id: '4200000001', amount: 3.5, paid_at: '2026-12-03T09:59:58.000Z' });
	});

	it('Alipay: trade_no + total_amount (yuan text), gmt_payment in China time, passback_params object', () => {
		expect(paymentOf(alipay, STARTED)).toEqual({ machine_no: '10000002', order_id: '55', provider: 'alipay', out_trade_no: 'T3', transaction_id: '2026120322001', amount: 3.5, paid_at: '2026-12-03T09:59:58.000Z' });
	});

	it('reads attach still as a query string, and is none when attach names no order', () => {
		expect(paymentOf({ ...weChatPay, attach: 'machine_no=10000003&order_id=9' }, STARTED)).toMatchObject({ machine_no: '10000003', order_id: '9', provider: 'weChatPay' });
		expect(paymentOf({ ...weChatPay, attach: 'table 4' }, STARTED)).toBeUndefined();
		expect(paymentOf({ ...alipay, passback_params: undefined }, STARTED)).toBeUndefined();
	});
});

describe("the trigger's own executions (the refunds it handed on)", () => {
	const due = { outcome: 'refund_due', order_id: 1001, machine_no: '10000001', provider: 'weChatPay', out_trade_no: 'T1', refund_key: 'dsr-1001-7', refund_amount: 3.5, total_amount: 3.5, execution_id: '40' };
	const finished = { outcome: 'dispensed_late', order_id: 1002 };
	const person = { outcome: 'needs_person', order_id: 1003 };
	const ownData = (outputs: unknown[][]) => ({ resultData: { runData: { 'Unfinished payments': [{ source: [], data: { main: outputs.map((items) => items.map((json) => ({ json }))) } }] } } });
	const execution = (status: ExecutionSummary["status"], data?: ExecutionSummary["data"]): ExecutionSummary => ({ id: '77', workflowId: 'own', status, startedAt: STARTED, data });
	const context = { what_happened: 'The payment\'s execution ended with an error at "Refund": refused.', what_happenedZh: '执行以错误结束。', execution_id: '77' };

	it('reads all three outputs of the start node, and only Refund Due items from the second', () => {
		const data = ownData([[finished], [due], [person]]);
		expect(startOutputs(data)).toEqual([[finished], [due], [person]]);
		expect(startItems(data)).toEqual([finished]);
		expect(refundDueItems(data)).toEqual([due]);
		// Only the second output of a stack entry is there (the first is empty): still found.
		const stack = { executionData: { nodeExecutionStack: [{ node: {}, data: { main: [[], [{ json: due }], []] }, source: null }] } };
		expect(refundDueItems(stack)).toEqual([due]);
		expect(refundDueItems(ownData([[finished], [], [person]]))).toEqual([]);
	});

	it('crashed → the same Refund Due items again, marked as a retry of that execution', () => {
		expect(ownReport(execution('crashed'), [due], true, context)).toEqual([[], [{ ...due, retry_of_execution: '77' }], []]);
	});

	it('error with its data kept (e.g. the provider refused) → one Needs You item with what n8n said; nothing sent again', () => {
		const outputs = ownReport(execution('error'), [due, { ...due, refund_key: 'dsr-1001-8' }], true, context);
		expect(outputs?.[1]).toEqual([]);
		expect(outputs?.[2]).toHaveLength(1);
		expect(outputs?.[2][0]).toMatchObject({ outcome: 'needs_person', order_id: 1001, refund_key: 'dsr-1001-7', provider: 'weChatPay', execution_id: '77' });
		expect(String(outputs?.[2][0].message)).toContain('dsr-1001-7, dsr-1001-8');
		expect(String(outputs?.[2][0].message)).toContain('refused');
	});

	it("error whose data n8n wiped (queue mode: the worker died) counts as a crash: sent again from the trigger's memory", () => {
		expect(ownReport(execution('error'), [due], false, context)?.[1]).toEqual([{ ...due, retry_of_execution: '77' }]);
	});

	it('nothing to do for an own execution without Refund Due items', () => {
		expect(ownReport(execution('crashed'), [], true, context)).toBeUndefined();
		expect(ownReport(execution('error'), [], false, context)).toBeUndefined();
	});
});

describe('finishing one payment: the pure parts (shared/dingshang/finishOutcome.ts)', () => {
	const payment = { machine_no: '10000001', order_id: '1001', provider: 'alipay' as const, out_trade_no: 'T9', amount: 5, paid_at: '2026-12-03T10:00:00.000Z' };
	const rec = (id: number, status: string, price = '2.00'): OrderRecord => ({ id, status, price });
	const base = { ...describePayment(payment, 12, []), reason: 'r', reasonZh: 'r' };

	it('counts minutes since the payment to one decimal', () => {
		expect(minutesSince('2026-12-03T10:00:00.000Z', Date.parse('2026-12-03T10:02:31.000Z'))).toBe(2.5);
	});

	it('refunds only records not dispensed; one record gets the whole payment, several their prices', () => {
		const records = [rec(7, 'IS_SUCCESS'), rec(8, 'IS_FAILED', '1.50'), rec(9, 'WAITING_PICKED_UP', '2.25')];
		expect(notDispensed(records).map((r) => r.id)).toEqual([8, 9]);
		expect(refundLines(payment, records, notDispensed(records))).toEqual([
			{ record_id: 8, refund_key: 'dsr-1001-8', amount: 1.5 },
			{ record_id: 9, refund_key: 'dsr-1001-9', amount: 2.25 },
		]);
		expect(refundLines(payment, [rec(7, 'IS_TIMEOUT')], [rec(7, 'IS_TIMEOUT')])).toEqual([{ record_id: 7, refund_key: 'dsr-1001-7', amount: 5 }]);
	});

	it('says why: too old while still waiting, else the machine', () => {
		expect(whyNotDispensed(false, [rec(7, 'WAITING_PICKED_UP')], 3, 12).en).toBe('paid 12 min ago, later than the Dispense Window (3 min): the customer may have left');
		expect(whyNotDispensed(false, [rec(7, 'IS_FAILED')], 3, 12).en).toBe('the machine did not dispense it');
		expect(whyNotDispensed(true, [rec(7, 'WAITING_PICKED_UP')], 3, 1).zh).toBe('机器未能出货');
	});

	it('refund_due carries what the refund node needs; a refund the bill already shows makes it already_refunded', () => {
		const lines = [{ record_id: 7, refund_key: 'dsr-1001-7', amount: 5 }];
		const due = refund(payment, lines, base, true);
		expect(due.outcome).toBe('refund_due');
		expect(due.item).toMatchObject({ provider: 'alipay', out_trade_no: 'T9', refund_key: 'dsr-1001-7', refund_amount: 5, total_amount: 5, order_set_to_refund_now: true });
		expect(due.item.messageZh).toContain('请用 refund_key dsr-1001-7 退款 5 元');
		const done = refund({ ...payment, refunded: 5 }, lines, base, false);
		expect(done.outcome).toBe('already_refunded');
		expect(done.item).toMatchObject({ outcome: 'already_refunded', refund_key: 'dsr-1001-7', refunded_amount: 5 });
		expect(refund({ ...payment, refunded: 4.99 }, lines, base, false).outcome).toBe('refund_due');
	});

	it("the trigger routes every outcome but 'later' (looked at again) to one of its three outputs", () => {
		expect(OUTPUT_OF).toEqual({ dispensed_late: 0, already_dispensed: 0, already_refunded: 0, refund_due: 1, needs_person: 2 });
	});
});

describe("Finish Payment's input: Paid At and yuan", () => {
	const now = Date.parse('2026-12-04T02:00:00.000Z');
	it('reads ISO 8601 with a zone, China time as bills write it, and date objects', () => {
		expect(paidAt('2026-12-03T17:59:58+08:00', now)).toBe('2026-12-03T09:59:58.000Z');
		expect(paidAt('2026-12-03 17:59:58', now)).toBe('2026-12-03T09:59:58.000Z');
		expect(paidAt(new Date('2026-12-03T09:59:58Z'), now)).toBe('2026-12-03T09:59:58.000Z');
		expect(paidAt({ toISO: () => '2026-12-03T09:59:58.000Z' }, now)).toBe('2026-12-03T09:59:58.000Z');
	});

	it.each([['2026-12-03'], ['03/12/2026 17:59'], [''], ['2026-12-04T11:00:00+08:00']])('refuses %j', (value) => {
		expect(() => paidAt(value, now)).toThrow(/^Invalid "Paid At": /);
	});

	it('yuan: up to two decimals, empty is none, zero only where allowed', () => {
		expect(optionalYuan('Total Amount (Yuan)', '3.50')).toBe(3.5);
		expect(optionalYuan('Total Amount (Yuan)', 12)).toBe(12);
		expect(optionalYuan('Total Amount (Yuan)', '')).toBeUndefined();
		expect(() => optionalYuan('Total Amount (Yuan)', '0')).toThrow('Invalid "Total Amount (Yuan)": expected yuan above 0, e.g. 3.50, got "0"');
		expect(optionalYuan('Already Refunded (Yuan)', '0', 0)).toBe(0);
		expect(() => optionalYuan('Total Amount (Yuan)', '3.505')).toThrow(/Total Amount/);
	});
});
