import { performance } from 'perf_hooks';

/**
 * Virtual time: runs at 1/scale of real speed (scale 0.01 → 100× faster) plus an offset that
 * POST /__sandbox/clock can push forward, so tests can jump past 120 s or 20 minutes.
 */
export class VirtualClock {
	private originReal = performance.now();
	private originVirtual = Date.now();
	private offsetMs = 0;

	constructor(readonly scale: number) {
		if (!(scale > 0) || !Number.isFinite(scale)) throw new Error('time scale must be a positive number');
	}

	now(): number {
		return this.originVirtual + (performance.now() - this.originReal) / this.scale + this.offsetMs;
	}

	advance(seconds: number): void {
		this.offsetMs += seconds * 1000;
	}

	/** Back to "virtual now = real now", as at start. */
	reset(): void {
		this.originReal = performance.now();
		this.originVirtual = Date.now();
		this.offsetMs = 0;
	}

	/** Real milliseconds until a virtual instant. */
	realDelayUntil(virtualMs: number): number {
		return Math.max(0, (virtualMs - this.now()) * this.scale);
	}
}

interface Job {
	due: number;
	seq: number;
	label: string;
	run: () => void;
}

/** Runs jobs at virtual instants with one precise, unref'd timer re-armed on every change. */
export class Scheduler {
	private jobs: Job[] = [];
	private timer?: NodeJS.Timeout;
	private seq = 0;
	private stopped = false;

	constructor(
		private readonly clock: VirtualClock,
		private readonly onError: (label: string, error: unknown) => void,
	) {}

	at(due: number, label: string, run: () => void): void {
		if (this.stopped) return;
		this.jobs.push({ due, seq: this.seq++, label, run });
		this.jobs.sort((a, b) => a.due - b.due || a.seq - b.seq);
		this.arm();
	}

	after(virtualMs: number, label: string, run: () => void): void {
		this.at(this.clock.now() + virtualMs, label, run);
	}

	/** Runs every job that is due now (jobs may schedule more, which run too if already due). */
	fireDue(): void {
		while (!this.stopped && this.jobs.length > 0 && this.jobs[0].due <= this.clock.now()) {
			const job = this.jobs.shift() as Job;
			try {
				job.run();
			} catch (error) {
				this.onError(job.label, error);
			}
		}
		this.arm();
	}

	pending(): number {
		return this.jobs.length;
	}

	clear(): void {
		this.jobs = [];
		this.disarm();
	}

	stop(): void {
		this.stopped = true;
		this.clear();
	}

	private arm(): void {
		this.disarm();
		if (this.stopped || this.jobs.length === 0) return;
		// Capped so a huge delay never overflows setTimeout; re-arming then is harmless.
		const delay = Math.min(Math.ceil(this.clock.realDelayUntil(this.jobs[0].due)), 60_000);
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.fireDue();
		}, delay);
		this.timer.unref();
	}

	private disarm(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
	}
}

/** Real-time timers (request delays, delayed callbacks) tracked so close() can clear them all. */
export class RealTimers {
	private readonly timers = new Set<NodeJS.Timeout>();

	later(ms: number, run: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, ms);
		this.timers.add(timer);
	}

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => this.later(ms, resolve));
	}

	clearAll(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}
}

/** The platform is in China: its date-times are UTC+8 wall-clock strings. */
const CHINA_OFFSET_MS = 8 * 3600_000;

export function formatDateTime(ms: number): string {
	return new Date(Math.floor(ms) + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

export function formatDate(ms: number): string {
	return formatDateTime(ms).slice(0, 10);
}

export function isoTime(ms: number): string {
	return new Date(Math.floor(ms)).toISOString();
}

/** "YYYY-MM-DD HH:mm:ss" in China time → epoch ms; undefined when malformed or not a real date-time. */
export function parseChinaDateTime(text: string): number | undefined {
	const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text.trim());
	if (!m) return undefined;
	const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - CHINA_OFFSET_MS;
	// Date.UTC rolls 02-30 over to 03-02: a round trip catches impossible dates and times.
	return formatDateTime(ms) === text.trim() ? ms : undefined;
}
