/**
 * Issue 33's simulated day in real n8n 2.41 (bench/dayLoad.ts, also bench scenario 10): 500
 * WeChat Pay / Alipay payments on 20 machines; failed dispenses refunded in-run; one refund call
 * refused and never retried; two notifications sent twice; n8n SIGKILLed with payments in flight and
 * kept down past the providers' whole re-send schedules (time-scaled). The next morning example 10
 * reconciles each bill day. Every paid row must end dispensed exactly once or refunded exactly once.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import { simulateDay, type DayResult } from '../../bench/dayLoad';

let day: DayResult;

describe('a simulated day: every paid bill row dispensed once or refunded once after the reconciliation', () => {
	beforeAll(async () => {
		day = await simulateDay({ payments: 500, machines: 20, log: (line) => console.log(line) });
	}, 1_200_000);

	it('the day was as hard as promised: payments lost to the outage, refunds, a differing amount', () => {
		expect(day.payments).toBe(500);
		expect(day.machines).toBe(20);
		expect(day.lost).toBeGreaterThan(100); // notifications that never reached n8n, re-sends included
		expect(day.refunded).toBeGreaterThan(day.lost);
		expect(day.summaries.length).toBeGreaterThanOrEqual(1);
		const total = (field: string) => day.summaries.reduce((sum, s) => sum + Number(s[field] ?? 0), 0);
		expect(total('paid_count')).toBe(500);
		expect(total('amount_differs_count')).toBe(1);
		expect(total('finished_now_count')).toBeGreaterThanOrEqual(day.lost);
		for (const s of day.summaries) expect(s.messageZh).toMatch(/对账/);
	});

	it('unaccounted=0, no double dispense, no double refund, never both', () => {
		expect(day.notes).toEqual([]);
		expect({ unaccounted: day.unaccounted, doubleDispenses: day.doubleDispenses, doubleRefunds: day.doubleRefunds, both: day.both }).toEqual({ unaccounted: 0, doubleDispenses: 0, doubleRefunds: 0, both: 0 });
		expect(day.dispensed + day.refunded).toBe(500);
	});

	it('the reconciliation leaves nothing for a person and nothing to try again', () => {
		for (const s of day.summaries) expect({ needs_you: s.needs_you_count, later: s.try_again_count }).toEqual({ needs_you: 0, later: 0 });
	});
});
