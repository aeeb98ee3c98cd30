import { readHandled, writeHandled } from '../../nodes/DingShangUnfinishedPaymentsTrigger/handled';
import { paymentOf, paymentsOfExecution, startItems, whatHappened } from '../../nodes/DingShangUnfinishedPaymentsTrigger/paymentOfExecution';
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
