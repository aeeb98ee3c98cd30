/**
 * Small helpers shared by the bench cases: timing, medians, a garbage collector handle, and the
 * row shape that bench.ts prints. Nothing here asserts on absolute times.
 */
import { performance } from 'perf_hooks';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

export interface Row {
	name: string;
	/** Our code's figure, already formatted (e.g. "412k ops/s"). */
	ours: string;
	/** The same-run baseline's figure, formatted. */
	baseline: string;
	/** ours ÷ baseline of the judged quantity (median over repetitions). */
	ratio: number;
	/** Human-readable target, e.g. "≥ 0.30×". */
	target: string;
	pass: boolean;
	/** Extra lines printed under the table (spread, sanity checks). */
	notes: string[];
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "min–max" of a series, for the notes: shows how noisy the box was. */
export function spread(values: number[], digits = 2): string {
	return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/** Milliseconds taken by `work`. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
	const start = performance.now();
	await work();
	return performance.now() - start;
}

/** Runs `work(0..count-1)` with at most `width` in flight (bounded). */
export async function pool(count: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
	let next = 0;
	const lane = async (): Promise<void> => {
		while (next < count) await work(next++);
	};
	await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}

/**
 * A full garbage collection. `global.gc` when node runs with --expose-gc; otherwise the flag is
 * set at run time and `gc` taken from a fresh context (documented V8 behaviour). `exposed` says
 * whether either worked; without it heap figures include garbage.
 */
export const gc: { run: () => void; exposed: boolean } = (() => {
	const g = globalThis as { gc?: () => void };
	if (typeof g.gc === 'function') return { run: g.gc, exposed: true };
	try {
		setFlagsFromString('--expose-gc');
		const fn = runInNewContext('gc') as () => void;
		if (typeof fn === 'function') return { run: fn, exposed: true };
	} catch {
		/* fall through */
	}
	return { run: () => undefined, exposed: false };
})();

export const fmt = {
	count: (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0)),
	bytes: (n: number): string => (Math.abs(n) >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`),
};
