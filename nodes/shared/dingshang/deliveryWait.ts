import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DingShangFailure } from './failures';
import type { DispenseOutcome } from './protocol';
import { outcomeOfStatus } from './protocol';

/** The timing of a dispense: when to retry a busy machine, when to look for the result. */

/**
 * Wait before re-sending a command the machine refused as busy: 250 ms, 500 ms, then every
 * second, ±20% so executions waiting for one machine do not retry in step. A dispense takes
 * 0.5–1 s (docs): a longer back-off leaves the machine idle after it frees (queue-mode bench,
 * scenario 7: with up to 5 s, gaps between one machine's dispenses had a p90 of 4.2 s).
 */
export function busyRetryDelayMs(retry: number, random: () => number = Math.random): number {
	return Math.round(Math.min(1000, 250 * 2 ** retry) * (0.8 + 0.4 * random()));
}

/**
 * Wait before the next result check, by time since the command. The docs say a dispense takes
 * 0.5–1 s: look every 50 ms inside that window (≈6 checks per dispense) so the machine's next
 * item starts promptly, every 250 ms up to 3 s, then back off to every 2 s (a machine that never
 * reports is timed out by the platform after 120 s).
 */
export function pollDelayMs(elapsedMs: number): number {
	if (elapsedMs < 500) return 500 - elapsedMs;
	if (elapsedMs < 1100) return 50;
	if (elapsedMs < 3000) return 250;
	return Math.min(2000, Math.round(elapsedMs / 4));
}

/** Polls `check` (Get Delivery, or the order record when no delivery id is known) until a final outcome. */
export async function waitForOutcome(
	resultTimeoutSeconds: number,
	check: () => Promise<Check>,
): Promise<{ outcome: DispenseOutcome; delivery?: IDataObject; recordStatus?: string; timedOut?: boolean }> {
	const started = Date.now();
	const deadline = started + resultTimeoutSeconds * 1000;
	for (let checks = 0; ; checks++) {
		const delayMs = pollDelayMs(Date.now() - started);
		const left = deadline - Date.now();
		if (checks > 0 && delayMs > left) return { outcome: 'timeout', timedOut: true };
		await sleep(Math.max(0, Math.min(delayMs, left))); // at least one check, even with a tiny timeout
		const checked = await check();
		// A platform refusal ends the wait; a transient read failure does not (keep polling to the deadline).
		if ('failure' in checked) {
			if (checked.failure.kind === 'platform') throw checked.failure;
			continue;
		}
		if (checked.outcome) return { ...checked, outcome: checked.outcome };
	}
}

export type Check = { failure: DingShangFailure } | { outcome?: DispenseOutcome; delivery?: IDataObject; recordStatus?: string };
export const isFinal = (o: ReturnType<typeof outcomeOfStatus>): o is DispenseOutcome => o === 'dispensed' || o === 'failed' || o === 'timeout';

