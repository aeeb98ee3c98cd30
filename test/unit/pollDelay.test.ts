import { busyRetryDelayMs, pollDelayMs } from '../../nodes/shared/dingshang/deliveryWait';

/** Result checks after a dispense command: often in the documented 0.5–1 s window, rarely after. */
function checkTimes(untilMs: number): number[] {
	const times: number[] = [];
	for (let t = pollDelayMs(0); t <= untilMs; t += pollDelayMs(t)) times.push(t);
	return times;
}

it('first check at 500 ms, then every 50 ms through the 0.5–1 s a dispense takes', () => {
	const times = checkTimes(1100);
	expect(times[0]).toBe(500);
	expect(times).toEqual([500, 550, 600, 650, 700, 750, 800, 850, 900, 950, 1000, 1050, 1100]);
});

it('then every 250 ms up to 3 s, then backs off to one check every 2 s (under 100 checks in 150 s)', () => {
	expect(pollDelayMs(2000)).toBe(250);
	expect(pollDelayMs(4000)).toBe(1000);
	expect(pollDelayMs(60_000)).toBe(2000);
	const times = checkTimes(150_000);
	expect(times.filter((t) => t > 1100 && t <= 3000)).toEqual([1350, 1600, 1850, 2100, 2350, 2600, 2850]);
	expect(times.length).toBeGreaterThan(75);
	expect(times.length).toBeLessThan(100);
});

describe('busyRetryDelayMs', () => {
	it('250 ms, 500 ms, then every second at most, whatever the number of retries', () => {
		const middle = () => 0.5; // no jitter
		expect([0, 1, 2, 3, 10, 60].map((r) => busyRetryDelayMs(r, middle))).toEqual([250, 500, 1000, 1000, 1000, 1000]);
	});

	it('±20% jitter, so executions waiting for one machine spread out', () => {
		expect(busyRetryDelayMs(5, () => 0)).toBe(800);
		expect(busyRetryDelayMs(5, () => 0.999999)).toBe(1200);
		const seen = new Set(Array.from({ length: 50 }, () => busyRetryDelayMs(2)));
		expect(seen.size).toBeGreaterThan(10);
		for (const ms of seen) expect(ms).toBeGreaterThanOrEqual(800);
	});
});
