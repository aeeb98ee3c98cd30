/**
 * Scenario 7 of issue 15, scale-out: n8n 2.x in queue mode (startStack, scripts/local: Redis,
 * Postgres, main, 2 workers, 2 webhook processes) runs example workflow 1 (payment webhook →
 * Mark order paid → Dispense with Wait for Result → refund branch) for 1,000 orders over 100
 * sandbox machines, 10 single-product orders per machine. Target: total time ÷ the ideal
 * per-machine schedule ≤ 1.2×, every record dispensed exactly once.
 *
 *   sandbox (in this process) + machines + NOTPAY orders → stack, workflow 1 active → warm-up
 *   → every payment POSTed (round-robin over machines, as payments arrive) → every dispense ended
 *   → every execution finished → checks, figures → stop everything
 *
 * Timing comes from lines, not polling, so that measuring adds no load: the sandbox's log (it runs
 * in this process) says when each dispense ended, the workers' "Worker started/finished execution"
 * lines when each execution did. The ideal is bench.ts's (scenario 5): machines in parallel, each
 * machine's real dispense durations back to back, the longest machine.
 *
 * Alone: `npx ts-node --transpile-only bench/queueLoad.ts` (QUEUE_ORDERS, QUEUE_MACHINES,
 * QUEUE_TIME_SCALE, QUEUE_CONCURRENCY, QUEUE_POST_WIDTH, QUEUE_DB_POOL override the defaults;
 * QUEUE_TARBALL uses a packed package instead of packing dist/). Exit code 0 when the target is met.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { API_PREFIX, MACHINE_BUSY_CODE } from '../nodes/shared/dingshang/protocol';
import { WORKFLOW, sleep, startStack, type Stack } from '../scripts/local';
import { SandboxClient, waitFor, type Json } from '../test/helpers/sandboxClient';
import { median, pool } from './measure';

/**
 * Virtual → real time of the sandbox. 3: a dispense takes 1.5–3 s real instead of the docs'
 * 0.5–1 s, so 10 per machine make an ideal of ~25 s and a run that a stack keeping up would end
 * in about half a minute. At 1 the ideal (~8 s) would ask for 120+ executions/s. On 2 shared
 * cores n8n does not keep up even at 3 (~0.2 CPU-s per execution, see the notes): the ratio then
 * measures n8n's throughput; a larger scale (QUEUE_TIME_SCALE=15) shows what is left beside it.
 */
export const TIME_SCALE = 3;
/**
 * `--concurrency` of each worker. An execution holds its slot while it waits for its machine (in
 * the node's per-machine queue or a busy retry): 100 × 2 = 2 per machine, one dispensing and the
 * next order already marked paid and waiting. 50 × 2 leaves a machine idle until a freed slot
 * happens to take its next job; 500 × 2 (all in flight) only piles up work on the database.
 */
export const CONCURRENCY = 100;
/**
 * Postgres connections of each n8n process (n8n's default: 2). With 2, workers running a hundred
 * executions time out waiting for a connection ("timeout exceeded when trying to connect") and a
 * third of the jobs error out; 5 processes × 10 stay well under the stack's max_connections=200.
 */
export const DB_POOL_SIZE = 10;
/** Payment notifications in flight at once, alternating over the webhook processes. */
export const POST_WIDTH = 32;
const MACHINE_TYPES = ['electronic_lock', 'motor', 'conveyor', 'other', 'drink'];
const WARM_MACHINES = ['69000001', '69000002', '69000003', '69000004'];
const PAYMENT_PATH = '/webhook/dingshang-payment';

export interface QueueOptions {
	orders: number;
	machines: number;
	log: (line: string) => void;
	timeScale?: number;
	/** Per worker. */
	concurrency?: number;
	postWidth?: number;
	dbPoolSize?: number;
}

export interface QueueResult {
	orders: number;
	machines: number;
	timeScale: number;
	concurrency: number;
	/** First POST → the last dispense ended in the sandbox (the judged time). */
	totalMs: number;
	/** First POST → the last execution finished (a worker's "Worker finished execution" line). */
	lastExecutionMs: number;
	/** First POST → the last payment answered. */
	postsMs: number;
	/** The longest machine's real dispense durations back to back. */
	idealMs: number;
	/** totalMs ÷ idealMs. */
	ratio: number;
	executions: number;
	succeeded: number;
	/** Records dispensed more than once. */
	doubles: number;
	/** Records never dispensed, orders not paid (or refunded), refunds made. */
	undispensed: number;
	unpaid: number;
	refunds: number;
	/** Dispense commands the sandbox refused because the machine was busy. */
	busyRefusals: number;
	/** Median of first POST → a machine's first dispense. */
	leadInMs: number;
	/** CPU time of the stack (n8n, Postgres, Redis) and this process during the run, per execution. */
	cpuPerExecutionMs: number;
	pass: boolean;
	/** Figures explaining the time (lead-in, gaps between a machine's dispenses, throughput). */
	notes: string[];
}

interface Paid {
	machineNo: string;
	orderId: number;
	recordId: number;
}

const machineNo = (i: number) => `6${String(i + 1).padStart(7, '0')}`;
const percentile = (values: number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * CPU milliseconds used so far by this process's descendants, by role (n8n command, postgres,
 * redis-server), from /proc (Linux, 100 ticks a second). Processes that have exited are not counted.
 */
function cpuByRole(): Map<string, number> {
	const procs = new Map<number, { ppid: number; ms: number; role: string }>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			const n8n = cmd.findIndex((arg) => arg.endsWith('/bin/n8n'));
			const role = n8n >= 0 ? `n8n ${cmd[n8n + 1]}` : /postgres|redis-server/.exec(cmd[0])?.[0] ?? 'other';
			procs.set(Number(entry), { ppid: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100, role });
		} catch {
			/* gone meanwhile */
		}
	}
	const mine = (pid: number): boolean => pid === process.pid || (pid > 1 && procs.has(pid) && mine((procs.get(pid) as { ppid: number }).ppid));
	const byRole = new Map<string, number>();
	for (const [pid, p] of procs) if (pid !== process.pid && mine(pid) && p.role !== 'other') byRole.set(p.role, (byRole.get(p.role) ?? 0) + p.ms);
	const self = process.cpuUsage();
	byRole.set('this process (sandbox, load)', (self.user + self.system) / 1000);
	return byRole;
}

async function post(url: string, body: Json): Promise<number> {
	const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
	await answer.arrayBuffer();
	return answer.status;
}

/** Whether this webhook process serves the payment webhook yet (a GET names the POST it has). */
async function servesPayment(base: string): Promise<boolean> {
	const answer = await fetch(base + PAYMENT_PATH, { signal: AbortSignal.timeout(10_000) });
	return /make a POST request/.test(await answer.text());
}

export async function measureQueue(opts: QueueOptions): Promise<QueueResult> {
	const scale = opts.timeScale ?? TIME_SCALE;
	const concurrency = opts.concurrency ?? CONCURRENCY;
	const postWidth = opts.postWidth ?? POST_WIDTH;
	const { orders: orderCount, machines: machineCount, log } = opts;
	const machines = Array.from({ length: machineCount }, (_, i) => machineNo(i));

	// What the sandbox and the workers report, stamped on arrival (performance.now()).
	const endedAt = new Map<number, number>();
	const codes = new Map<string, number>();
	const started = new Map<string, number>();
	const finished = new Map<string, { at: number; worker: string }>();
	let inFlight = 0;
	let peakInFlight = 0;
	const paidAt = new Map<number, number>();
	const firstTryAt = new Map<number, number>();
	// The sandbox logs each API call as `METHOD path {params} → status code=N`.
	const apiCall = new RegExp(`^(POST|PUT) ${API_PREFIX}/(orders/(\\d+)|deliveries) (\\{.*\\}) → \\S+ code=(\\S+)`);
	const onSandboxLine = (line: string) => {
		const now = performance.now();
		const ended = /^machine \d+ \S+: record (\d+) \(delivery \d+\)$/.exec(line);
		if (ended) endedAt.set(Number(ended[1]), now);
		const call = apiCall.exec(line);
		if (!call) return;
		const [, method, what, orderId, params, code] = call;
		if (method === 'PUT' && code === '0') paidAt.set(Number(orderId), now);
		if (what === 'deliveries') {
			codes.set(code, (codes.get(code) ?? 0) + 1);
			const recordId = Number((JSON.parse(params) as { record_id?: string }).record_id);
			if (!firstTryAt.has(recordId)) firstTryAt.set(recordId, now);
		}
	};
	const recent = new Map<string, string[]>();
	/** n8n's error lines by text (ids masked), to explain failures. */
	const problems = new Map<string, number>();
	const onN8nLine = (name: string, line: string) => {
		const lines = recent.get(name) ?? [];
		lines.push(line);
		recent.set(name, lines.slice(-30));
		if (/error|timeout|fail|crash/i.test(line)) {
			const key = `${name.replace(/\d+$/, '')}: ${line.replace(/\d+/g, 'N').slice(0, 160)}`;
			problems.set(key, (problems.get(key) ?? 0) + 1);
		}
		// "errored while running": the job failed in n8n itself (e.g. no database connection).
		const job = /Worker (started|finished|errored while running) execution (\d+)/.exec(line);
		if (!job) return;
		if (job[1] === 'started') {
			started.set(job[2], performance.now());
			peakInFlight = Math.max(peakInFlight, ++inFlight);
		} else {
			finished.set(job[2], { at: performance.now(), worker: name });
			inFlight--;
		}
	};

	let stack: Stack | undefined;
	try {
		stack = await startStack({
			mode: 'queue',
			workers: 2,
			webhookProcesses: 2,
			concurrency,
			sandbox: { log: onSandboxLine, timeScale: scale },
			env: {
				DB_POSTGRESDB_POOL_SIZE: String(opts.dbPoolSize ?? DB_POOL_SIZE),
				// On a starved CPU a transaction holds its connection for seconds (its continuations wait
				// for the event loop): at n8n's 20 s the jobs waiting for a connection error out.
				DB_POSTGRESDB_CONNECTION_TIMEOUT: '60000',
				// n8n's health ping waits for a pool connection like any query; after 3 pings over 5 s it
				// tears the pool down under the running executions (they error or hang). A busy pool
				// is not a dead database: give the ping as long as a query.
				DB_PING_TIMEOUT_MS: '60000',
			},
			activate: [WORKFLOW.paid],
			onLine: onN8nLine,
		});
		const { webhookUrls, client } = stack;
		const pay = stack.payments as NonNullable<Stack['payments']>;
		const platform = new SandboxClient(stack.sandbox as NonNullable<Stack['sandbox']>);
		for (const [i, m] of [...machines, ...WARM_MACHINES].entries()) await platform.addMachine(m, MACHINE_TYPES[i % MACHINE_TYPES.length], 1000);
		// NOTPAY orders listed round-robin over the machines, as payments would arrive.
		const paid: Paid[] = new Array(orderCount);
		await pool(orderCount, 8, async (i) => {
			const m = machines[i % machines.length];
			const { orderId, recordIds } = await platform.order(m);
			paid[i] = { machineNo: m, orderId, recordId: recordIds[0] };
		});
		const warm = await Promise.all(WARM_MACHINES.map(async (m) => ({ machineNo: m, ...(await platform.order(m)) })));
		log(`${orderCount} orders on ${machineCount} machines (${MACHINE_TYPES.join(', ')} in turn), time scale ${scale}`);
		// n8n 2.x activates in the background: wait until both webhook processes serve it.
		for (const base of webhookUrls) await waitFor(async () => await servesPayment(base), 60_000, 500);
		log(`stack up in ${s(Object.values(stack.timings).reduce((a, b) => a + b, 0))} (parts), ${concurrency} concurrent executions per worker`);

		// Warm-up: each process loads the workflow and our nodes once, outside the measurement.
		const warmStatuses = await Promise.all(warm.map(async (o, i) => await post(webhookUrls[i % webhookUrls.length] + PAYMENT_PATH, { machine_no: o.machineNo, order_id: o.orderId })));
		if (!warmStatuses.every((code) => code === 200)) throw new Error(`warm-up payments answered ${warmStatuses.join(', ')}`);
		await waitFor(async () => finished.size >= warm.length && warm.every((o) => endedAt.has(o.recordIds[0])), 60_000, 100);
		await sleep(500);
		const warmIds = new Set(finished.keys());
		const callsBefore = (await platform.state()).requests as Record<string, number>;

		// The load: every payment, POST_WIDTH in flight, alternating webhook processes.
		codes.clear(); // the warm-up's commands, and n8n's start-up noise
		problems.clear();
		const cpuBefore = cpuByRole();
		const t0 = performance.now();
		const t0Wall = Date.now();
		const statuses = new Map<number, number>();
		const answeredAt = new Map<number, number>();
		await pool(orderCount, postWidth, async (i) => {
			const status = await post(webhookUrls[i % webhookUrls.length] + PAYMENT_PATH, { machine_no: paid[i].machineNo, order_id: paid[i].orderId }).catch(() => 0);
			answeredAt.set(paid[i].orderId, performance.now());
			statuses.set(status, (statuses.get(status) ?? 0) + 1);
		});
		const postsMs = performance.now() - t0;
		log(`${orderCount} payments answered in ${s(postsMs)} (${[...statuses].map(([code, n]) => `${n}× ${code || 'no answer'}`).join(', ')})`);

		// Bounded: ten times the slowest plausible schedule (1 s virtual per dispense), at least 3 minutes.
		const limitMs = Math.max(180_000, 10 * Math.ceil(orderCount / machineCount) * 1000 * scale);
		const ours = () => [...finished.keys()].filter((id) => !warmIds.has(id));
		let lastReport = performance.now();
		let progress = { at: performance.now(), seen: -1 };
		await waitFor(
			async () => {
				const ended = paid.filter((p) => endedAt.has(p.recordId)).length;
				const done = ours().length;
				if (performance.now() - lastReport > 10_000) {
					lastReport = performance.now();
					log(`  … ${ended} dispenses ended, ${done} executions finished, ${inFlight} running`);
				}
				if (ended + done !== progress.seen) progress = { at: performance.now(), seen: ended + done };
				else if (performance.now() - progress.at > 60_000) throw new Error(`no progress for 60 s: ${ended}/${orderCount} dispenses ended, ${done} executions finished`);
				// Wait for Result: an execution ends after its dispense, so this covers both.
				return done >= orderCount;
			},
			limitMs,
			100,
		).catch((error: unknown) => {
			throw new Error(`${(error as Error).message}: ${paid.filter((p) => endedAt.has(p.recordId)).length}/${orderCount} dispenses ended, ${ours().length} executions finished`);
		});
		const mine = ours();
		const lastExecutionMs = Math.max(...mine.map((id) => (finished.get(id) as { at: number }).at)) - t0;
		const cpu = [...cpuByRole()].map(([role, ms]) => [role, ms - (cpuBefore.get(role) ?? 0)] as const);
		const cpuMs = cpu.reduce((sum, [, ms]) => sum + ms, 0);

		// n8n's own account of the executions (public API), once all have finished.
		const listed = await waitFor(
			async () => {
				const all = (await client.allExecutions(WORKFLOW.paid, false)).filter((e: Json) => !warmIds.has(String(e.id)));
				return all.length >= orderCount && all.every((e: Json) => !['new', 'running', 'waiting'].includes(e.status)) ? all : undefined;
			},
			120_000,
			1000,
		);
		const failedRuns = listed.filter((e: Json) => e.status !== 'success');
		const lastStop = Math.max(...listed.map((e: Json) => Date.parse(e.stoppedAt)));

		// The platform's account: each record once, each order paid, the ideal schedule.
		const state = await platform.state();
		const wanted = new Map(paid.map((p) => [p.recordId, p]));
		let doubles = 0;
		let undispensed = 0;
		let unpaid = 0;
		for (const order of state.orders as Json[]) {
			const records = (order.records as Json[]).filter((r) => wanted.has(r.record_id));
			if (records.length === 0) continue;
			if (order.status !== 'SUCCESS') unpaid++;
			for (const r of records) {
				if (r.dispense_count > 1) doubles++;
				if (r.dispense_count === 0 || r.status !== 'IS_SUCCESS') undispensed++;
			}
		}
		const perMachine = new Map<string, Array<{ start: number; end: number; ms: number }>>();
		for (const d of state.deliveries as Array<{ record_id: number; machine_no: string; dispense_ms?: number }>) {
			const end = endedAt.get(d.record_id);
			if (!wanted.has(d.record_id) || d.dispense_ms === undefined || end === undefined) continue;
			const ms = d.dispense_ms * scale;
			const list = perMachine.get(d.machine_no) ?? [];
			list.push({ start: end - ms, end, ms });
			perMachine.set(d.machine_no, list);
		}
		const sums = [...perMachine.values()].map((list) => list.reduce((sum, d) => sum + d.ms, 0));
		const idealMs = Math.max(...sums);
		const totalMs = Math.max(...paid.map((p) => endedAt.get(p.recordId) ?? 0)) - t0; // judged only when all ended
		const refunds = pay.plainRefunds().filter((r) => wanted.has(r.record_id as number)).length;

		// Where the time went: lead-in (payment → first dispense) and the machine's idle gaps.
		const leadIns: number[] = [];
		const gaps: number[] = [];
		let critical = { machine: '', end: 0, leadIn: 0, busy: 0, idle: 0 };
		for (const [m, list] of perMachine) {
			list.sort((a, b) => a.start - b.start);
			leadIns.push(list[0].start - t0);
			let idle = 0;
			for (let k = 1; k < list.length; k++) {
				const gap = Math.max(0, list[k].start - list[k - 1].end);
				gaps.push(gap);
				idle += gap;
			}
			const end = list[list.length - 1].end;
			if (end > critical.end) critical = { machine: m, end, leadIn: list[0].start - t0, busy: list.reduce((sum, d) => sum + d.ms, 0), idle };
		}
		const perWorker = new Map<string, number>();
		for (const id of mine) {
			const { worker } = finished.get(id) as { worker: string };
			perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
		}
		const busyRefusals = codes.get(String(MACHINE_BUSY_CODE)) ?? 0;
		const pickups = mine.map((id) => (started.get(id) ?? NaN) - t0).filter(Number.isFinite);
		// The first order of each machine, step by step: nothing queues it behind another dispense.
		const firsts = paid.slice(0, machineCount);
		const step = (from: (p: Paid) => number | undefined, to: (p: Paid) => number | undefined) =>
			median(firsts.map((p) => (to(p) ?? NaN) - (from(p) ?? NaN)).filter(Number.isFinite));
		const answered = (p: Paid) => answeredAt.get(p.orderId);
		const markedPaid = (p: Paid) => paidAt.get(p.orderId);
		const commanded = (p: Paid) => firstTryAt.get(p.recordId);
		const notes = [
			`time scale ${scale} (a dispense takes ${(0.5 * scale).toFixed(1)}–${scale.toFixed(1)} s real), ${concurrency} concurrent executions per worker, ${opts.dbPoolSize ?? DB_POOL_SIZE} Postgres connections per process, ${postWidth} payments in flight over ${webhookUrls.length} webhook processes`,
			`total ${s(totalMs)} to the last dispense's end, ${s(lastExecutionMs)} to the last execution's end (n8n's stoppedAt: ${s(lastStop - t0Wall)}), payments all answered after ${s(postsMs)}; ideal ${s(idealMs)} (machines' sums: median ${s(median(sums))})`,
			`executions: ${mine.length} (${[...perWorker].map(([w, n]) => `${w} ${n}`).join(', ')}), at most ${peakInFlight} running at once, the last picked up by a worker ${s(Math.max(...pickups))} after the first POST`,
			`first order of each machine, medians: payment answered ${s(step(() => t0, answered))} after the first POST, marked paid ${s(step(answered, markedPaid))} later, first dispense command ${s(step(markedPaid, commanded))} after that; executions picked up by a worker: median ${s(median(pickups))} after the first POST`,
			`lead-in (first POST → a machine's first dispense): median ${s(median(leadIns))}, max ${s(Math.max(...leadIns))}; gaps between a machine's dispenses: median ${median(gaps).toFixed(0)} ms, p90 ${percentile(gaps, 0.9).toFixed(0)} ms, max ${Math.max(...gaps).toFixed(0)} ms, ${gaps.filter((g) => g >= 450).length} of ${gaps.length} ≥ 450 ms`,
			`dispense commands: ${[...codes].map(([code, n]) => `${n}× code ${code}${code === String(MACHINE_BUSY_CODE) ? ' (busy)' : ''}`).join(', ')}; platform calls during the run: ${Object.entries(state.requests as Record<string, number>)
				.map(([route, n]) => `${route} ${n - (callsBefore[route] ?? 0)}`)
				.join(', ')}`,
			`CPU used during the run by the stack and this process: ${s(cpuMs)} in ${s(lastExecutionMs)} (${((100 * cpuMs) / lastExecutionMs / cpus().length).toFixed(0)}% of ${cpus().length} cores; load average ${loadavg()[0].toFixed(1)}), ${(cpuMs / orderCount).toFixed(0)} ms per execution: ${cpu
				.sort((a, b) => b[1] - a[1])
				.map(([role, ms]) => `${role} ${(ms / orderCount).toFixed(0)}`)
				.join(', ')}`,
			`last machine to finish, ${critical.machine}: lead-in ${s(critical.leadIn)} + dispensing ${s(critical.busy)} + idle between dispenses ${s(critical.idle)}`,
		];
		if (failedRuns.length > 0) {
			const details = await Promise.all(
				failedRuns.slice(0, 3).map(async (e: Json) => {
					const full = await client.api('GET', `/executions/${e.id}?includeData=true`);
					const error = full.data?.resultData?.error;
					return `${e.id} ${e.status}: ${String(error?.message ?? 'no error message').slice(0, 200)}`;
				}),
			);
			notes.push(`${failedRuns.length} executions did not succeed, e.g. ${details.join('; ')}`);
		}
		if (problems.size > 0) notes.push(`n8n's error lines: ${[...problems].map(([text, n]) => `${n}× ${text}`).join('; ')}`);
		const ratio = totalMs / idealMs;
		const pass = ratio <= 1.2 && doubles === 0 && undispensed === 0 && unpaid === 0 && listed.length === orderCount && failedRuns.length === 0;
		return {
			orders: orderCount,
			machines: machineCount,
			timeScale: scale,
			concurrency,
			totalMs,
			lastExecutionMs,
			postsMs,
			idealMs,
			ratio,
			executions: listed.length,
			succeeded: listed.length - failedRuns.length,
			doubles,
			undispensed,
			unpaid,
			refunds,
			busyRefusals,
			leadInMs: median(leadIns),
			cpuPerExecutionMs: cpuMs / orderCount,
			pass,
			notes,
		};
	} catch (error) {
		const tails = [...recent].map(([name, lines]) => `--- ${name}\n${lines.slice(-8).join('\n')}`).join('\n');
		log(`n8n's error lines: ${[...problems].map(([text, n]) => `${n}× ${text}`).join('\n  ') || 'none'}`);
		throw new Error(`${(error as Error).stack ?? String(error)}\n${tails}`);
	} finally {
		await stack?.stop().catch((error: unknown) => log(`stopping the stack: ${String(error)}`));
	}
}

if (require.main === module) {
	const env = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
	const watchdog = setTimeout(() => {
		console.error('queueLoad: still running after 20 min, stopping');
		process.exit(2); // the process guards (scripts/local) take the stack down with us
	}, 20 * 60_000);
	watchdog.unref();
	measureQueue({
		orders: env('QUEUE_ORDERS') ?? 1000,
		machines: env('QUEUE_MACHINES') ?? 100,
		timeScale: env('QUEUE_TIME_SCALE'),
		concurrency: env('QUEUE_CONCURRENCY'),
		postWidth: env('QUEUE_POST_WIDTH'),
		dbPoolSize: env('QUEUE_DB_POOL'),
		log: (line) => console.log(`[queue] ${line}`),
	})
		.then((r) => {
			for (const note of r.notes) console.log(`  · ${note}`);
			console.log(
				`7. Queue mode, 2 workers: ${r.orders} orders on ${r.machines} machines in ${s(r.totalMs)}, ideal ${s(r.idealMs)} → ${r.ratio.toFixed(2)}× (target ≤ 1.2): ${r.pass ? 'met' : 'MISSED'}; ` +
					`executions ${r.succeeded}/${r.executions} succeeded, double dispenses ${r.doubles}, undispensed ${r.undispensed}, unpaid ${r.unpaid}, refunds ${r.refunds}, busy refusals ${r.busyRefusals}`,
			);
			console.log(`bench: queue_vs_ideal=${r.ratio.toFixed(2)}`);
			process.exitCode = r.pass ? 0 : 1;
		})
		.catch((error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		})
		.finally(() => clearTimeout(watchdog));
}
