import http from 'http';
import https from 'https';
import axios from 'axios';
import type { RealTimers, Scheduler, VirtualClock } from './clock';
import { isoTime } from './clock';
import { CALLBACK_BACKOFF_MS, CALLBACK_MAX_ATTEMPTS, CALLBACK_TIMEOUT_MS } from './constants';
import type { FaultQueue } from './faults';

export interface CallbackAnswer {
	status?: number;
	error?: string;
	at: string;
}

export interface CallbackRecord {
	id: number;
	url: string;
	body: Record<string, unknown>;
	attempts: number;
	answers: CallbackAnswer[];
	delivered: boolean;
	duplicate?: boolean;
	dropped?: boolean;
	delayed_ms?: number;
}

interface Deps {
	clock: VirtualClock;
	scheduler: Scheduler;
	timers: RealTimers;
	faults: FaultQueue;
	log: (line: string) => void;
}

/** POSTs platform pushes to notify_url, retrying non-2xx answers and network errors with backoff. */
export class CallbackDispatcher {
	private records: CallbackRecord[] = [];
	private nextId = 1;
	private abort = new AbortController();
	// Own agents without keep-alive: no pooled socket may outlive close().
	private readonly httpAgent = new http.Agent({ keepAlive: false });
	private readonly httpsAgent = new https.Agent({ keepAlive: false });

	constructor(private readonly deps: Deps) {}

	push(url: string | undefined, body: Record<string, unknown>): void {
		if (!url) return;
		// Captured now so a reset between now and a delayed send cancels that send.
		const signal = this.abort.signal;
		const fault = this.deps.faults.takeCallback();
		const record = this.newRecord(url, body);
		if (fault?.kind === 'callbackDrop') {
			record.dropped = true;
			this.deps.log(`callback #${record.id} dropped (fault) ${JSON.stringify(body)}`);
			return;
		}
		if (fault?.kind === 'callbackDelay') {
			record.delayed_ms = fault.ms;
			this.deps.timers.later(fault.ms ?? 0, () => void this.attempt(record, signal));
		} else {
			void this.attempt(record, signal);
		}
		if (fault?.kind === 'callbackDuplicate') {
			const copy = this.newRecord(url, body);
			copy.duplicate = true;
			void this.attempt(copy, signal);
		}
	}

	list(): CallbackRecord[] {
		return this.records.map((record) => ({ ...record, answers: [...record.answers] }));
	}

	/** Forgets every push and cancels the ones in flight. */
	reset(): void {
		this.abort.abort();
		this.abort = new AbortController();
		this.records = [];
	}

	close(): void {
		this.reset();
		this.httpAgent.destroy();
		this.httpsAgent.destroy();
	}

	private newRecord(url: string, body: Record<string, unknown>): CallbackRecord {
		const record: CallbackRecord = { id: this.nextId++, url, body, attempts: 0, answers: [], delivered: false };
		this.records.push(record);
		return record;
	}

	private async attempt(record: CallbackRecord, signal: AbortSignal): Promise<void> {
		if (signal.aborted) return;
		record.attempts += 1;
		const at = isoTime(this.deps.clock.now());
		try {
			const answer = await axios.post(record.url, record.body, {
				timeout: CALLBACK_TIMEOUT_MS,
				signal,
				validateStatus: () => true,
				maxRedirects: 0,
				httpAgent: this.httpAgent,
				httpsAgent: this.httpsAgent,
				headers: { 'Content-Type': 'application/json', 'User-Agent': 'DingShang-Sandbox' },
			});
			record.answers.push({ status: answer.status, at });
			record.delivered = answer.status >= 200 && answer.status < 300;
		} catch (error) {
			if (signal.aborted) return;
			const e = error as { code?: string; message?: string };
			record.answers.push({ error: e.code ?? e.message ?? String(error), at });
		}
		const last = record.answers[record.answers.length - 1];
		this.deps.log(
			`callback #${record.id}${record.duplicate ? ' (duplicate)' : ''} attempt ${record.attempts} → ` +
				`${last.status ?? last.error} ${redactToken(record.url)} ${JSON.stringify(record.body)}`,
		);
		if (record.delivered || record.attempts >= CALLBACK_MAX_ATTEMPTS || signal.aborted) return;
		const backoff = CALLBACK_BACKOFF_MS[Math.min(record.attempts - 1, CALLBACK_BACKOFF_MS.length - 1)];
		this.deps.scheduler.after(backoff, `callback #${record.id} retry`, () => void this.attempt(record, signal));
	}
}

/** notify_url often carries the trigger's secret token: never write it to the log. */
export function redactToken(url: string): string {
	return url.replace(/([?&]token=)[^&#]*/gi, '$1***');
}
