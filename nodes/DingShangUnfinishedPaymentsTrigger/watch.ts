import type { IDataObject } from 'n8n-workflow';

import { finishPayment, type FinishEnv, OUTPUT_OF } from './finishPayment';
import { handledKey } from './handled';
import { type ExecutionSummary, getExecution, listExecutions, type N8nApi } from './n8nApi';
import { ownReport, refundDueItems } from './ownExecutions';
import { type Payment, paymentsOfExecution, whatHappened } from './paymentOfExecution';
import type { WatchSettings } from './settings';

/**
 * One look at the payment workflows' executions. Running ones are only remembered (their payment
 * item): in queue mode n8n overwrites a stalled execution's data with an empty run, so the item
 * must be read while it still exists — n8n keeps a killed worker's job for at least its lock time
 * (QUEUE_WORKER_LOCK_DURATION, 60 s by default) first, longer than Check Every may be. Only what
 * n8n itself ended unfinished (crashed, error) is finished; a running execution, however slow, is
 * never touched. The trigger's own workflow is watched too: a refund it handed on is not lost when
 * the worker running the refund dies (ownExecutions.ts).
 */

type ApiCtx = Parameters<typeof listExecutions>[0];

export interface Report {
	key: string;
	/** Items per output: Finished, Refund Due, Needs You. */
	outputs: [IDataObject[], IDataObject[], IDataObject[]];
}

const FINISHING_AT_ONCE = 8;

export class Watcher {
	/** Payments (or, for the own workflow, Refund Due items) of executions seen new or running, by handledKey; forgotten after Look Back. */
	private readonly captured = new Map<string, { id: string; payments: Payment[]; refundDue: IDataObject[]; seenAt: number }>();
	private readonly inFlight = new Set<string>();
	/** Own executions with nothing to do (no Refund Due item): not looked at again while this trigger runs. */
	private readonly ignored = new Set<string>();
	/** Why an execution could not be finished yet (shown in the trigger's log, and in manual runs). */
	readonly waiting = new Map<string, string>();

	constructor(
		private readonly api: { ctx: ApiCtx; n8n: N8nApi; editorUrl: string },
		private readonly settings: WatchSettings,
		private readonly isHandled: (key: string) => boolean,
		/** The workflow this trigger is in; '' when unknown. */
		private readonly ownWorkflowId = '',
	) {}

	private get workflowIds(): string[] {
		return this.ownWorkflowId && !this.settings.workflowIds.includes(this.ownWorkflowId) ? [...this.settings.workflowIds, this.ownWorkflowId] : this.settings.workflowIds;
	}

	isOwn(execution: ExecutionSummary): boolean {
		return execution.workflowId === this.ownWorkflowId;
	}

	get busy(): number {
		return this.inFlight.size;
	}

	/** Remembers running payments; returns the executions n8n ended unfinished that are not handled yet. */
	async look(now: number): Promise<ExecutionSummary[]> {
		const startedAfter = new Date(now - this.settings.lookBackHours * 3_600_000).toISOString();
		const unfinished: ExecutionSummary[] = [];
		const seen = new Set<string>(); // listed this look: new, running, error, crashed
		for (const workflowId of this.workflowIds) {
			for (const status of ['new', 'running'] as const) {
				// n8n sets startedAt only when an execution starts running: a queued one has none, and a
				// startedAfter filter would hide it.
				const since = status === 'new' ? undefined : startedAfter;
				for (const execution of await listExecutions(this.api.ctx, this.api.n8n, workflowId, status, { startedAfter: since, includeData: true })) {
					const key = handledKey(workflowId, execution.id);
					seen.add(key);
					if (this.captured.has(key)) continue;
					// A queued execution has no startedAt yet: its payment's own time is used, else now.
					const payments = paymentsOfExecution(execution.data, execution.startedAt ?? new Date(now).toISOString());
					const refundDue = workflowId === this.ownWorkflowId ? refundDueItems(execution.data) : [];
					if (payments.length > 0 || refundDue.length > 0) this.captured.set(key, { id: execution.id, payments, refundDue, seenAt: now });
				}
			}
			for (const status of ['error', 'crashed'] as const) {
				for (const execution of await listExecutions(this.api.ctx, this.api.n8n, workflowId, status, { startedAfter, includeData: false })) {
					const key = handledKey(workflowId, execution.id);
					seen.add(key);
					// A retry that succeeded finished it; n8n links it.
					if (execution.retrySuccessId || this.isHandled(key) || this.inFlight.has(key) || this.ignored.has(key)) continue;
					unfinished.push(execution);
				}
			}
		}
		unfinished.push(...(await this.endedUnstarted(seen)));
		for (const [key, { seenAt }] of this.captured) if (seenAt < now - this.settings.lookBackHours * 3_600_000) this.captured.delete(key);
		return unfinished.reverse(); // oldest first
	}

	/**
	 * A worker killed while it held a job ends that execution `error` without ever setting startedAt,
	 * so the listing by start time never shows it: each captured execution that is no longer listed is
	 * read by its id, once it has ended (a finished one is forgotten).
	 */
	private async endedUnstarted(seen: Set<string>): Promise<ExecutionSummary[]> {
		const ended: ExecutionSummary[] = [];
		for (const [key, entry] of this.captured) {
			if (seen.has(key) || this.isHandled(key) || this.inFlight.has(key) || this.ignored.has(key)) continue;
			const execution = await getExecution(this.api.ctx, this.api.n8n, entry.id, false).catch(() => undefined);
			if (!execution) continue; // unreadable just now: read again on the next look
			if (execution.status === 'error' || execution.status === 'crashed') {
				if (!execution.retrySuccessId) ended.push(execution);
			} else if (!['new', 'running', 'waiting'].includes(execution.status)) {
				this.captured.delete(key);
			}
		}
		return ended;
	}

	/** The payments of one unfinished execution: from n8n's data, else as remembered while it ran. */
	async paymentsOf(execution: ExecutionSummary): Promise<{ payments: Payment[]; full: ExecutionSummary }> {
		const full = await getExecution(this.api.ctx, this.api.n8n, execution.id);
		const stored = paymentsOfExecution(full.data, full.startedAt);
		const remembered = this.captured.get(handledKey(execution.workflowId, execution.id))?.payments ?? [];
		return { payments: stored.length > 0 ? stored : remembered, full };
	}

	/** Starts finishing each execution (at most FINISHING_AT_ONCE at a time); `report` gets each finished one. */
	finishAll(executions: ExecutionSummary[], env: () => FinishEnv, report: (r: Report) => void, log: (line: string) => void): void {
		for (const execution of executions) {
			if (this.inFlight.size >= FINISHING_AT_ONCE) break;
			const key = handledKey(execution.workflowId, execution.id);
			this.inFlight.add(key);
			void this.finishOne(execution, env)
				.then((r) => {
					if (r) {
						this.waiting.delete(key);
						report(r);
					}
				})
				.catch((error: Error) => {
					this.waiting.set(key, error.message);
					log(`execution ${execution.id}: ${error.message}`);
				})
				.finally(() => this.inFlight.delete(key));
		}
	}

	/** The Refund Due items one of the trigger's own executions started with: from n8n's data, else as remembered while it ran. */
	async refundDueOf(execution: ExecutionSummary): Promise<{ refundDue: IDataObject[]; stored: boolean; full: ExecutionSummary }> {
		const full = await getExecution(this.api.ctx, this.api.n8n, execution.id);
		const stored = refundDueItems(full.data);
		const remembered = this.captured.get(handledKey(execution.workflowId, execution.id))?.refundDue ?? [];
		return { refundDue: stored.length > 0 ? stored : remembered, stored: stored.length > 0, full };
	}

	/** Finishes every payment of one execution; undefined when one of them must be looked at again later. */
	private async finishOne(execution: ExecutionSummary, env: () => FinishEnv): Promise<Report | undefined> {
		const key = handledKey(execution.workflowId, execution.id);
		if (this.isOwn(execution)) {
			const { refundDue, stored, full } = await this.refundDueOf(execution);
			const outputs = ownReport(full, refundDue, stored, this.context(full));
			if (!outputs) this.ignored.add(key);
			return outputs ? { key, outputs } : undefined;
		}
		const { payments, full } = await this.paymentsOf(execution);
		const context = this.context(full);
		const outputs: Report['outputs'] = [[], [], []];
		if (payments.length === 0) {
			outputs[2].push({
				outcome: 'needs_person',
				message: `Left for you: n8n kept no payment of execution ${execution.id} (its data was lost before it could be read). Check this payment at your provider.`,
				messageZh: `需要您处理：n8n 未保留执行 ${execution.id} 的付款数据，请到支付平台核对这笔付款。`,
				...context,
			});
			return { key, outputs };
		}
		for (const payment of payments) {
			const finish = await finishPayment(env(), payment);
			if (finish.outcome === 'later') {
				this.waiting.set(key, String(finish.item.reason));
				return undefined;
			}
			outputs[OUTPUT_OF[finish.outcome]].push({ ...finish.item, ...context });
		}
		return { key, outputs };
	}

	private context(execution: ExecutionSummary): IDataObject {
		const happened = whatHappened(execution.status, execution.data);
		return {
			what_happened: happened.en,
			what_happenedZh: happened.zh,
			execution_id: execution.id,
			execution_status: execution.status,
			workflow_id: execution.workflowId,
			execution_url: `${this.api.editorUrl}/workflow/${execution.workflowId}/executions/${execution.id}`,
		};
	}
}
