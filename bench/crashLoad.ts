/**
 * Bench scenario 9 (issue 23): queue mode (main + 2 workers + 1 webhook process, Redis, Postgres),
 * example 6 (WeChat Pay → dispense → refund) watched by example 9 (Unfinished Payments), 100
 * payments on 20 machines while 10 times a random worker is SIGKILLed and replaced. For each
 * payment: the time from its payment to its end (dispensed once or refunded once, read from the
 * sandboxes), and how many never ended. Bounded: gives up 10 minutes after the last payment.
 */
import { PAYMENT_WEBHOOK_ID, SHORT_QUEUE_LOCKS_ENV, WORKFLOW, sleep, startStack } from '../scripts/local';
import { endedOnce, payOrder, reportsAbout, settledOf, watcherWorkflow, type Paid } from '../test/helpers/recovery';
import { SandboxClient } from '../test/helpers/sandboxClient';

export interface CrashResult {
	payments: number;
	machines: number;
	kills: number;
	unresolved: number;
	/** Dispensed more than once, or dispensed and refunded. */
	doubles: number;
	dispensed: number;
	refunded: number;
	resolveSeconds: number[];
	p50: number;
	p95: number;
	notes: string[];
}

const GIVE_UP_MS = 10 * 60_000;

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

export async function measureCrashes(opts: { payments: number; machines: number; kills: number; log: (line: string) => void }): Promise<CrashResult> {
	const watcherLines: string[] = [];
	const stack = await startStack({
		mode: 'queue',
		workers: 2,
		webhookProcesses: 1,
		env: SHORT_QUEUE_LOCKS_ENV,
		workflows: ({ paymentsUrl }) => [watcherWorkflow({ workflowIds: [WORKFLOW.weChatPay], windowMinutes: 3, checkEverySeconds: 5, paymentsUrl: paymentsUrl as string })],
		n8nApiCredential: true,
		activate: [WORKFLOW.weChatPay, WORKFLOW.unfinished],
		// The watcher's own lines (why it waits), printed for any payment that never ended.
		onLine: (_name, line) => {
			if (/Unfinished Payments/.test(line)) watcherLines.push(line.slice(0, 300));
		},
	});
	try {
		const { client, sandbox, payments } = stack;
		const s = stack;
		const pay = payments as NonNullable<typeof payments>;
		const platform = new SandboxClient(sandbox as NonNullable<typeof sandbox>);
		const machines = Array.from({ length: opts.machines }, (_, i) => String(50000001 + i));
		for (const m of machines) await platform.addMachine(m, 'electronic_lock', 1000);
		const notifyUrl = `${s.webhookUrls[0]}/webhook/${PAYMENT_WEBHOOK_ID.weChatPay}/payment`;
		await stack.webhookAnswers(`${PAYMENT_WEBHOOK_ID.weChatPay}/payment`, 401);
		opts.log(`crash bench: stack up; ${opts.payments} payments on ${opts.machines} machines, ${opts.kills} worker kills`);

		// Payments at ~2/s; the kills spread over the same stretch, each at a random moment of its slot.
		const paidAt = new Map<number, number>();
		const paid: Paid[] = [];
		const paying = (async () => {
			for (let i = 0; i < opts.payments; i++) {
				const p = await payOrder(platform, pay, machines[i % machines.length], notifyUrl);
				paid.push(p);
				paidAt.set(p.orderId, Date.now());
				await sleep(500);
			}
		})();
		const slotMs = (opts.payments * 500) / opts.kills;
		let kills = 0;
		const killed = new Set<(typeof s.workers)[number]>();
		for (let k = 0; k < opts.kills; k++) {
			await sleep(Math.round(slotMs * (0.3 + 0.7 * Math.random())));
			const live = s.workers.filter((w) => !killed.has(w));
			const victim = live[Math.floor(Math.random() * live.length)];
			await victim.kill('SIGKILL');
			killed.add(victim);
			await s.startWorker();
			kills++;
		}
		await paying;
		const lastPaid = Date.now();

		const resolvedAt = new Map<number, number>();
		const ends = new Map<number, 'dispensed' | 'refunded'>();
		while (resolvedAt.size < paid.length && Date.now() - lastPaid < GIVE_UP_MS) {
			for (const p of paid) {
				if (resolvedAt.has(p.orderId)) continue;
				const end = endedOnce(await settledOf(platform, pay.baseUrl, p));
				if (end) {
					resolvedAt.set(p.orderId, Date.now());
					ends.set(p.orderId, end);
				}
			}
			await sleep(1000);
		}
		await sleep(10_000); // anything done twice would show now
		let doubles = 0;
		for (const p of paid) {
			const settled = await settledOf(platform, pay.baseUrl, p);
			if (settled.dispenses > 1 || (settled.refundedFen > 0 && ['IS_SUCCESS', 'IS_PICKED_UP'].includes(settled.recordStatus)) || settled.refundKeys > 1) doubles++;
		}
		const seconds = paid.filter((p) => resolvedAt.has(p.orderId)).map((p) => ((resolvedAt.get(p.orderId) as number) - (paidAt.get(p.orderId) as number)) / 1000).sort((a, b) => a - b);
		const runs = await client.allExecutions(WORKFLOW.weChatPay, false);
		const failed = runs.filter((e) => e.status === 'error' || e.status === 'crashed').length;
		// Killed before a worker started them: no startedAt, so n8n's listing by start time never shows them.
		const neverStarted = runs.filter((e) => (e.status === 'error' || e.status === 'crashed') && !e.startedAt).length;
		const unresolvedNotes: string[] = [];
		for (const p of paid.filter((q) => !resolvedAt.has(q.orderId))) {
			const reports = await reportsAbout(client, WORKFLOW.unfinished, p.orderId).catch(() => []);
			const mine = watcherLines.filter((line) => line.includes(String(p.orderId)) || line.includes(p.tradeId)).slice(-5);
			unresolvedNotes.push(`unresolved order ${p.orderId} on ${p.tradeId}: ${JSON.stringify(await settledOf(platform, pay.baseUrl, p))}; reports ${JSON.stringify(reports.map((r) => r.outcome))}; watcher lines: ${mine.join(' | ') || '(none naming it)'}`);
		}
		if (unresolvedNotes.length > 0) {
			const withData = await client.allExecutions(WORKFLOW.weChatPay, true);
			const byStatus = runs.reduce((n: Record<string, number>, e) => ({ ...n, [e.status]: (n[e.status] ?? 0) + 1 }), {});
			unresolvedNotes.push(`payment executions by status: ${JSON.stringify(byStatus)}; ${runs.length} in all for ${paid.length} payments`);
			for (const p of paid.filter((q) => !resolvedAt.has(q.orderId))) {
				const holding = withData.filter((e) => JSON.stringify(e.data ?? {}).includes(p.tradeId)).map((e) => `${e.id} ${e.status} ${e.mode} started ${e.startedAt} stopped ${e.stoppedAt}`);
				unresolvedNotes.push(`executions holding ${p.tradeId}: ${holding.join('; ') || 'none'}`);
			}
			unresolvedNotes.push(`watcher's last lines: ${watcherLines.slice(-8).join(' | ')}`);
		}
		return {
			payments: paid.length,
			machines: opts.machines,
			kills,
			unresolved: paid.length - resolvedAt.size,
			doubles,
			dispensed: [...ends.values()].filter((e) => e === 'dispensed').length,
			refunded: [...ends.values()].filter((e) => e === 'refunded').length,
			resolveSeconds: seconds,
			p50: percentile(seconds, 50),
			p95: percentile(seconds, 95),
			notes: [...unresolvedNotes, `${failed} of ${runs.length} payment executions ended crashed/error (killed with their worker; ${neverStarted} of them before they started) and were finished by the Unfinished Payments trigger; time to resolution is measured from the payment (sandbox poll every 1 s)`],
		};
	} finally {
		await stack.stop().catch(() => undefined);
	}
}
