import { pollDelayMs } from '../../nodes/DingShangVending/actions/delivery/dispense';

/** Result checks after a dispense command: often in the documented 0.5–1 s window, rarely after. */
function checkTimes(untilMs: number): number[] {
	const times: number[] = [];
	for (let t = pollDelayMs(0); t <= untilMs; t += pollDelayMs(t)) times.push(t);
	return times;
}

it('first check at 400 ms, then every 100 ms through the 0.5–1 s a dispense takes', () => {
	const times = checkTimes(1500);
	expect(times[0]).toBe(400);
	expect(times.filter((t) => t >= 500 && t <= 1000)).toEqual([500, 600, 700, 800, 900, 1000]);
	expect(times.length).toBeLessThanOrEqual(12);
});

it('backs off after the window to one check every 2 s (a silent machine: under 100 checks in 150 s)', () => {
	expect(pollDelayMs(4000)).toBe(1000);
	expect(pollDelayMs(60_000)).toBe(2000);
	const times = checkTimes(150_000);
	expect(times.length).toBeGreaterThan(75);
	expect(times.length).toBeLessThan(100);
});
