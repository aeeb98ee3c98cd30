/**
 * Bench scenario 9 (issue 23): queue mode (main + 2 workers + 1 webhook process, Redis, Postgres),
 * example 6 (WeChat Pay → dispense → refund) watched by example 9 (Unfinished Payments), 100
 * payments on 20 machines while 10 times a random worker is SIGKILLed and replaced. For each
 * payment: the time from its payment to its end (dispensed once or refunded once, read from the
 * sandboxes), and how many never ended. Bounded: gives up 10 minutes after the last payment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox, type RunningSandbox } from '../../sandbox';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';
import { N8nClient, PAYMENT_WEBHOOK_ID, WORKFLOW, importCredential, importExamples, importN8nApiCredential, importPaymentCredentials, importWorkflows, packPackage, randomToken, sleep } from '../../scripts/n8nLocal';
import { SHORT_QUEUE_LOCKS_ENV, ensureQueueServices, startQueueStack, type QueueStack } from '../../scripts/queueStack';
import { endedOnce, payOrder, settledOf, watcherWorkflow, type Paid } from '../helpers/recovery';
import { SandboxClient, waitFor } from '../helpers/sandboxClient';

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
	await ensureQueueServices();
	const userFolder = mkdtempSync(join(tmpdir(), 'dingshang-crash-bench-'));
	let sandbox: RunningSandbox | undefined;
	let payments: RunningPaymentSandbox | undefined;
	let stack: QueueStack | undefined;
	try {
		sandbox = await startSandbox({ port: 0, log: false });
		payments = await startPaymentSandbox({ port: 0 });
		const platform = new SandboxClient(sandbox);
		const machines = Array.from({ length: opts.machines }, (_, i) => String(50000001 + i));
		for (const m of machines) await platform.addMachine(m, 'electronic_lock', 1000);
		const sb = sandbox;
		const pay = payments;
		stack = await startQueueStack({
			userFolder,
			workers: 2,
			webhooks: 1,
			encryptionKey: randomToken(),
			tarball: await packPackage(userFolder, { build: false }),
			env: SHORT_QUEUE_LOCKS_ENV,
			beforeStart: async (settings) => {
				await importCredential(settings, { name: 'DingShang (sandbox)', baseUrl: sb.baseUrl, appId: sb.appId, appSecret: sb.appSecret, signingKey: sb.signKey });
				await importPaymentCredentials(settings, { weChatPay: { ...pay.weChatPay }, alipay: { ...pay.alipay } }, 'sandbox');
				await importExamples(settings, { n8nPort: settings.port, token: randomToken(), sandboxUrl: sb.baseUrl, paymentsUrl: pay.baseUrl }, { onlyMissing: false });
				await importWorkflows(settings, [watcherWorkflow({ workflowIds: [WORKFLOW.weChatPay], windowMinutes: 3, checkEverySeconds: 5, sandboxUrl: sb.baseUrl })]);
			},
		});
		const s = stack;
		const client = new N8nClient(s.main.url);
		if (!(await client.signIn())) throw new Error('could not sign in to n8n');
		await importN8nApiCredential(s.settings, await client.createApiKey());
		await client.activateWorkflow(WORKFLOW.weChatPay);
		await client.activateWorkflow(WORKFLOW.unfinished);
		const notifyUrl = `${s.webhookUrls[0]}/webhook/${PAYMENT_WEBHOOK_ID.weChatPay}/payment`;
		await waitFor(async () => (await fetch(notifyUrl, { method: 'POST', body: '{}' })).status === 401, 60_000, 500);
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
		for (let k = 0; k < opts.kills; k++) {
			await sleep(Math.round(slotMs * (0.3 + 0.7 * Math.random())));
			const live = s.workers.filter((w) => w.pid > 0);
			const victim = live[Math.floor(Math.random() * live.length)];
			await victim.kill('SIGKILL');
			s.workers.splice(s.workers.indexOf(victim), 1);
			s.workers.push(await s.startWorker());
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
			notes: [`${failed} of ${runs.length} payment executions ended crashed/error (killed with their worker) and were finished by the Unfinished Payments trigger; time to resolution is measured from the payment (sandbox poll every 1 s)`],
		};
	} finally {
		await stack?.stop().catch(() => undefined);
		await payments?.close();
		await sandbox?.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
}
