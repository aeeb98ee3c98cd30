import { readHandled, writeHandled } from '../../nodes/DingShangUnfinishedPaymentsTrigger/handled';
import type { ExecutionSummary } from '../../nodes/DingShangUnfinishedPaymentsTrigger/n8nApi';
import { ownReport, refundDueItems } from '../../nodes/DingShangUnfinishedPaymentsTrigger/ownExecutions';
import { paymentOf, paymentsOfExecution, startItems, startOutputs, whatHappened } from '../../nodes/DingShangUnfinishedPaymentsTrigger/paymentOfExecution';
import { parseSettings } from '../../nodes/DingShangUnfinishedPaymentsTrigger/settings';

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
