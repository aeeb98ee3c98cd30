/**
 * `npm run bench` (not part of `npm test`): issue 15's scenarios, as ratios of medians (or of p50s)
 * measured in ONE run, side by side with their targets, and the issue's last line.
 *
 *   1. Get Order and Update Order × 2,000 in real n8n 2.x (realN8n.ts): our node ÷ n8n's HTTP
 *      Request node sending the same requests signed beforehand. Target ≤ 0.67.
 *   2. The same, the DIY pair (Code node MD5 + base64 → HTTP Request) ÷ our node. Target ≥ 1.5.
 *   3. Payment → dispense command and → workflow end, 4. failure callback → refund PUT: p50/p95 in
 *      real n8n 2.x, ours vs the DIY flows (latency.ts); again with N8N_EXPRESSION_ENGINE=legacy
 *      as a diagnostic. Targets ≤ 0.8, end ≤ dispense + 250 ms, ≤ 1.0.
 *   5. Put Delivery with Wait for Result, 40 records on 8 machines of mixed types, against the
 *      ideal schedule (the longest per-machine chain of the sandbox's dispense durations).
 *      Target ≤ 1.05, 0 double dispenses. Also: the same 40 records one at a time.
 *   6. Delivery Result trigger vs n8n's Webhook node in one real n8n, autocannon load, unique
 *      callbacks: executions finished per second (triggerLoad.ts). Target ≥ 0.95.
 *   7. Queue mode, 2 workers, 1,000 payments over 100 machines ÷ the ideal schedule (queueLoad.ts).
 *      Target ≤ 1.2, 0 double dispenses.
 *   9. Queue mode, 100 WeChat Pay payments on 20 machines, 10 workers SIGKILLed at random moments:
 *      payment → dispensed once / refunded once, p50/p95, and how many never ended (crashLoad.ts).
 *      Target 0 unresolved, 0 done twice.
 *  10. A simulated day (issue 33), real n8n 2.x: 500 payments on 20 machines, failed dispenses, a
 *      refused refund call, duplicate notifications, n8n SIGKILLed and down past the providers'
 *      re-send schedules, then example 10's reconciliation (dayLoad.ts). Target 0 unaccounted, 0 twice.
 *   8. Peak RSS of n8n's processes, Update Order × 500 and × 5,000, ours ÷ DIY (rss.ts).
 *   Diagnostic only: Update Order × 2,000 in n8n-core's engine (worker.ts) against a raw keep-alive
 *   `http` loop — the machine's limit, not a target — with the engine worker's peak RSS.
 *
 * Every engine run is a fresh child process (worker.ts), every real-n8n run a fresh `n8n execute`
 * or n8n of its own; rounds interleave the variants, every loop and server is bounded and closed;
 * a watchdog ends an overrun. BENCH_ROUNDS (default 5); BENCH_REAL=0, BENCH_LATENCY=0,
 * BENCH_LEGACY=0, BENCH_SERIAL=0, BENCH_TRIGGER=0, BENCH_QUEUE=0, BENCH_CRASH=0, BENCH_DAY=0, BENCH_RSS=0, BENCH_DIAG=0 skip a
 * part; BENCH_CALLBACKS (default 600) sets the trigger load, BENCH_QUEUE_SCALE (default 15) the
 * queue scenario's time scale, BENCH_CPU_PROF=<dir> profiles each engine run.
 */
import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import { join } from 'path';

import { startSandbox, type RunningSandbox } from '../sandbox';
import { SandboxClient, tradeId } from '../test/helpers/sandboxClient';
import { REQUEST_LANES } from '../nodes/shared/common/items';
import type { Job, OrderRef, Platform, RecordRef } from './jobs';

/** Whether n8n-nodes-base (the DIY peer's Code and HTTP Request nodes) is installed beside the engine. */
function diyAvailable(): boolean {
	try {
		require.resolve('n8n-nodes-base/dist/nodes/Code/Code.node');
		return true;
	} catch {
		return false;
	}
}
import { median, pool } from './measure';
import { measureRealN8n, ITEMS as REAL_ITEMS, GET_ORDERS } from './realN8n';
import { measureTriggers, type TriggerRound } from './triggerLoad';
import { measureQueue } from './queueLoad';
import { measureCrashes, type CrashResult } from './crashLoad';
import { simulateDay, type DayResult } from './dayLoad';
import { measureRss } from './rss';
import { measureLatency, report as latencyReport, type LatencyResult, type Percentiles } from './latency';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const UPDATE_ITEMS = 2000;
const WARM_ITEMS = 100;
const DISPENSE_MACHINES: Array<[string, string]> = [
	['40000001', 'electronic_lock'],
	['40000002', 'electronic_lock'],
	['40000003', 'motor'],
	['40000004', 'motor'],
	['40000005', 'conveyor'],
	['40000006', 'other'],
	['40000007', 'drink'],
	['40000008', 'drink'],
];
const DISPENSE_RECORDS = 40;
const TIME_SCALE = 1; // the docs' dispense takes 0.5–1 s: 40 records on 8 machines already take seconds
const UPDATE_MACHINES = ['30000001', '30000002', '30000003', '30000004'];
const WATCHDOG_MS = 75 * 60_000;

const tmp = mkdtempSync(join(os.tmpdir(), 'dingshang-bench-'));
const children = new Set<ReturnType<typeof spawn>>();

// ─── worker processes ───────────────────────────────────────────────────────────────────────

interface WorkerResult {
	job: string;
	ms: number;
	rssBefore: number;
	peakRss: number;
	peakReset: boolean;
	items: number;
}

let jobSeq = 0;
function runWorker(job: Job): Promise<WorkerResult> {
	const file = join(tmp, `job-${++jobSeq}.json`);
	writeFileSync(file, JSON.stringify(job));
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', join(__dirname, 'worker.ts'), file], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: {
				...process.env,
				TS_NODE_TRANSPILE_ONLY: 'true',
				TS_NODE_PREFER_TS_EXTS: 'true', // load DingShangVending.node.ts, not the codex .json beside it
				N8N_USER_FOLDER: tmp,
				N8N_LOG_LEVEL: 'error',
				N8N_RUNNERS_ENABLED: 'false', // the Code node runs in-process, as with n8n's default here
				NODE_FUNCTION_ALLOW_BUILTIN: 'crypto', // what a merchant must set for the DIY Code node
			},
		});
		children.add(child);
		let out = '';
		let err = '';
		child.stdout.on('data', (c: Buffer) => (out += c.toString()));
		child.stderr.on('data', (c: Buffer) => (err += c.toString()));
		child.on('exit', (code) => {
			children.delete(child);
			rmSync(file, { force: true });
			const line = out.split('\n').find((l) => l.startsWith('RESULT '));
			const result = line ? JSON.parse(line.slice(7)) : undefined;
			if (code === 0 && result && !result.error) resolve(result as WorkerResult);
			else reject(new Error(`${job.kind} worker failed (exit ${code}): ${result?.error ?? ''}\n${err.slice(-2000)}`));
		});
	});
}

// ─── sandbox data ───────────────────────────────────────────────────────────────────────────

async function newOrders(client: SandboxClient, count: number): Promise<OrderRef[]> {
	const orders: OrderRef[] = new Array(count);
	await pool(count, 8, async (i) => {
		const machine_no = UPDATE_MACHINES[i % UPDATE_MACHINES.length];
		const created = await client.createOrder({ machine_no, trade_id: tradeId(), products: [{ product_id: 101 + (i % 3), quantity: 1 }] });
		if (created.data?.code !== 0) throw new Error(`create order: ${JSON.stringify(created.data)}`);
		orders[i] = { order_id: created.data.data.order_id as number, machine_no };
	});
	return orders;
}

/** 40 paid single-record orders, 5 per machine, listed round-robin as payments would arrive. */
async function newRecords(client: SandboxClient): Promise<RecordRef[]> {
	const records: RecordRef[] = [];
	for (let i = 0; i < DISPENSE_RECORDS; i++) {
		const [machineNo, type] = DISPENSE_MACHINES[i % DISPENSE_MACHINES.length];
		const { orderId, recordIds } = await client.paidOrder(machineNo, [{ product_id: 101 + (i % 3), quantity: type === 'drink' ? 2 : 1 }]);
		records.push({ machineNo, orderId, recordId: recordIds[0] });
	}
	return records;
}

/** Ideal schedule: machines in parallel, each machine's dispenses back to back (real ms). */
async function idealMs(client: SandboxClient, records: RecordRef[]): Promise<{ ideal: number; serial: number; doubles: number }> {
	const state = await client.state();
	const wanted = new Set(records.map((r) => r.recordId));
	const perMachine = new Map<string, number>();
	let serial = 0;
	for (const d of state.deliveries as Array<{ record_id: number; machine_no: string; dispense_ms?: number }>) {
		if (!wanted.has(d.record_id)) continue;
		if (d.dispense_ms === undefined) throw new Error(`delivery for record ${d.record_id} has not ended`);
		const ms = d.dispense_ms * TIME_SCALE;
		perMachine.set(d.machine_no, (perMachine.get(d.machine_no) ?? 0) + ms);
		serial += ms;
	}
	let doubles = 0;
	for (const order of state.orders) for (const r of order.records) if (wanted.has(r.record_id) && r.dispense_count !== 1) doubles++;
	return { ideal: Math.max(...perMachine.values()), serial, doubles };
}

/**
 * Not judged, printed to explain scenario 1: the raw loop with a new TCP connection per request
 * (what n8n's HTTP helper does: a fresh http.Agent, keep-alive off, for every request), and the
 * keep-alive loop at other widths (where the sandbox on this machine stops gaining).
 */
async function rawDiagnostics(client: SandboxClient, platform: Platform): Promise<string> {
	const run = async (lanes: number, keepAlive: boolean) => {
		const orders = await newOrders(client, UPDATE_ITEMS);
		const warmUp = await newOrders(client, WARM_ITEMS);
		const result = await runWorker({ kind: 'update-raw', platform, orders, warmUp, lanes, keepAlive });
		return (UPDATE_ITEMS * 1000) / result.ms;
	};
	const fresh = await run(REQUEST_LANES, false);
	const widths: string[] = [];
	for (const lanes of [1, 2, 4, 8, 16, 32]) widths.push(`${lanes}: ${(await run(lanes, true)).toFixed(0)}/s`);
	return `raw loop, one run each — new connection per request, ${REQUEST_LANES} lanes: ${fresh.toFixed(0)}/s; keep-alive by lanes ${widths.join(', ')}`;
}

// ─── report ─────────────────────────────────────────────────────────────────────────────────

interface Row {
	name: string;
	ours: number[];
	base: number[];
	unit: string;
	/** ratio of medians, in the direction the target is stated */
	ratio: number;
	target: string;
	pass: boolean;
	/** a scenario of issue 15 not built yet */
	open?: boolean;
	/** figures that are not series of rounds (percentiles), printed as they are */
	text?: { ours: string; base: string; ratio?: string };
}

const OPEN: string[] = [];
/**
 * Scenario 7's time scale: 15 makes a dispense 7.5–15 s, so 10 per machine (~2 min) dominate the
 * ~9 executions/s that n8n's queue mode reaches on 2 cores; at 3 the ratio measures only that
 * throughput (docs/benchmarks.md). BENCH_QUEUE_SCALE changes it.
 */
const QUEUE_SCALE = Number(process.env.BENCH_QUEUE_SCALE ?? 15);

const pct = (p: Percentiles) => `p50 ${p.p50.toFixed(0)} / p95 ${p.p95.toFixed(0)} ms`;

/** Scenario 3 and 4 rows (p50 ratios, as the issue states its targets). */
function latencyRows(r: LatencyResult): Row[] {
	const row = (name: string, m: LatencyResult['payToCommand'], target: string): Row => ({
		name,
		ours: [],
		base: [],
		unit: 'ms',
		ratio: m.ratio,
		target,
		pass: m.pass,
		text: { ours: pct(m.ours), base: pct(m.diy) },
	});
	return [
		row(`3. Payment → dispense command (${r.orders} orders): ours ÷ DIY`, r.payToCommand, '≤ 0.8'),
		{
			name: '3. Payment → workflow end, minus the dispense itself',
			ours: [],
			base: [],
			unit: 'ms',
			ratio: NaN,
			target: 'p50 ≤ 250 ms',
			pass: r.endOverDispense.pass,
			text: { ours: pct(r.endOverDispense), base: `dispense ${pct(r.dispense)}`, ratio: `+${r.endOverDispense.p50.toFixed(0)} ms` },
		},
		row(`4. Failure callback → refund PUT (${r.orders}): ours ÷ DIY`, r.failureToRefund, '≤ 1.0'),
	];
}

const stat = (values: number[], digits: number) =>
	`${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`;

function printTable(rows: Row[]): void {
	const header = ['Scenario', 'Ours: median [min–max]', 'Compared with: median [min–max]', 'Ratio', 'Target', ''];
	const cells = rows.map((r) =>
		r.open
			? [r.name, '—', '—', '—', '', 'not measured yet (issue 15)']
			: [
					r.name,
					r.text?.ours ?? `${stat(r.ours, 1)} ${r.unit}`,
					r.text?.base ?? `${stat(r.base, 1)} ${r.unit}`,
					r.text?.ratio ?? `${r.ratio.toFixed(2)}×`,
					r.target,
					r.pass ? 'met' : 'MISSED',
				],
	);
	const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
	const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join(' │ ');
	console.log(line(header));
	console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
	for (const row of cells) console.log(line(row));
}

function machineFacts(): string {
	const cpus = os.cpus();
	return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()}/${os.arch()}, load ${os
		.loadavg()
		.map((n) => n.toFixed(2))
		.join(' ')}`;
}

const rotate = <T>(list: T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length]);
const mib = (bytes: number) => bytes / 2 ** 20;

// ─── main ───────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
	const started = Date.now();
	console.log(`DingShang n8n nodes — npm run bench (${ROUNDS} rounds, variants interleaved)`);
	console.log(`machine: ${machineFacts()}`);

	const sandbox: RunningSandbox = await startSandbox({ port: 0, log: false, timeScale: TIME_SCALE });
	const client = new SandboxClient(sandbox);
	const platform: Platform = { baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret, signKey: sandbox.signKey };
	const rows: Row[] = [];
	const notes: string[] = [];
	const addMachines = async () => {
		for (const m of UPDATE_MACHINES) await client.addMachine(m, 'motor', 1_000_000);
		for (const [m, type] of DISPENSE_MACHINES) await client.addMachine(m, type, 10_000);
	};
	const resetSandbox = async () => {
		await client.http.post('/__sandbox/reset');
		await addMachines();
	};
	try {
		await addMachines();

		// Diagnostic: Update Order × 2,000 in n8n-core's engine vs the raw keep-alive loop
		const times: Record<string, number[]> = { node: [], diy: [], raw: [] };
		const peaks: Record<string, number[]> = { node: [], diy: [] };
		const diy = diyAvailable(); // n8n-core 2.x: no in-process Code node, so no DIY pair here
		const engineRounds = process.env.BENCH_DIAG === '0' ? 0 : ROUNDS;
		for (let round = 0; round < engineRounds; round++) {
			for (const variant of rotate(diy ? ['node', 'diy', 'raw'] : ['node', 'raw'], round)) {
				const orders = await newOrders(client, UPDATE_ITEMS);
				const warmUp = await newOrders(client, WARM_ITEMS);
				const result = await runWorker({ kind: `update-${variant}` as 'update-node', platform, orders, warmUp });
				if (result.items !== UPDATE_ITEMS) throw new Error(`${variant}: ${result.items} items`);
				const paid = (await client.state()).orders.filter((o: { order_id: number; status: string }) => o.status === 'SUCCESS' && o.order_id >= orders[0].order_id && o.order_id <= orders[orders.length - 1].order_id);
				if (paid.length !== UPDATE_ITEMS) throw new Error(`${variant}: ${paid.length} of ${UPDATE_ITEMS} orders paid in the sandbox`);
				times[variant].push(result.ms);
				if (variant !== 'raw') peaks[variant].push(mib(result.peakRss));
				process.stdout.write(`  round ${round + 1} engine update-${variant}: ${result.ms.toFixed(0)} ms, peak RSS ${mib(result.peakRss).toFixed(0)} MiB\n`);
				if (!result.peakReset) notes.push('peak RSS could not be reset after set-up: VmHWM covers the whole worker');
			}
			await resetSandbox(); // keep the sandbox small between rounds
		}
		if (engineRounds > 0) {
			notes.push(
				`diagnostic, n8n-core engine, Update Order ×${UPDATE_ITEMS} (2 requests/item): node ${median(times.node).toFixed(0)} ms, raw keep-alive loop (1 request/item, the machine's limit, not a target) ${median(times.raw).toFixed(0)} ms = ${(median(times.node) / median(times.raw)).toFixed(2)}×; engine worker peak RSS ${median(peaks.node).toFixed(0)} MiB`,
			);
			notes.push(await rawDiagnostics(client, platform));
			await resetSandbox();
		}

		// 1 + 2: Get Order and Update Order × 2,000 in real n8n 2.x
		let nodeVsHttp = NaN;
		let diyVsNode = NaN;
		if (process.env.BENCH_REAL !== '0') {
			const paidCount = async (orders: OrderRef[]) => {
				const ids = new Set(orders.map((o) => o.order_id));
				return (await client.state()).orders.filter((o: { order_id: number; status: string }) => ids.has(o.order_id) && o.status === 'SUCCESS').length;
			};
			const real = await measureRealN8n(ROUNDS, (line) => process.stdout.write(`  ${line}\n`), platform, (n) => newOrders(client, n), paidCount);
			const series = (op: 'get' | 'update', v: 'node' | 'http' | 'diy') => real.map((r) => r.ms[op][v]);
			const ratios: Record<string, number> = {};
			for (const op of ['get', 'update'] as const) {
				const [node, http, diyMs] = [series(op, 'node'), series(op, 'http'), series(op, 'diy')];
				const label = op === 'get' ? `Get Order ×${REAL_ITEMS} (${GET_ORDERS} orders)` : `Update Order ×${REAL_ITEMS} (ours: read + PUT)`;
				ratios[`http-${op}`] = median(node) / median(http);
				ratios[`diy-${op}`] = median(diyMs) / median(node);
				rows.push({ name: `1. ${label}: node ÷ HTTP Request node`, ours: node, base: http, unit: 'ms', ratio: ratios[`http-${op}`], target: '≤ 0.67', pass: ratios[`http-${op}`] <= 0.67 });
				rows.push({ name: `2. ${label}: DIY Code+HTTP ÷ node`, ours: diyMs, base: node, unit: 'ms', ratio: ratios[`diy-${op}`], target: '≥ 1.5', pass: ratios[`diy-${op}`] >= 1.5 });
				notes.push(`real n8n ${op}: DIY sign Code node ${median(real.map((r) => r.signMs[op])).toFixed(0)} ms of the DIY time (median); per item: node ${(median(node) / REAL_ITEMS).toFixed(2)} ms, HTTP node ${(median(http) / REAL_ITEMS).toFixed(2)} ms`);
			}
			// One figure per scenario for the last line: the worse of Get and Update.
			nodeVsHttp = Math.max(ratios['http-get'], ratios['http-update']);
			diyVsNode = Math.min(ratios['diy-get'], ratios['diy-update']);
			notes.push(`real n8n 2.41: each figure is the nodes' own executionTime in one \`n8n execute\` (a fresh process per run); the last line's node_vs_http / diy_vs_node are the worse of Get and Update`);
			await resetSandbox();
		}

		// 2: Put Delivery, 40 records on 8 machines
		const dispense: number[] = [];
		const ideal: number[] = [];
		let serialSum = 0;
		let doubles = 0;
		for (let round = 0; round < ROUNDS; round++) {
			const records = await newRecords(client);
			const result = await runWorker({ kind: 'dispense', platform, records });
			const schedule = await idealMs(client, records);
			dispense.push(result.ms);
			ideal.push(schedule.ideal);
			serialSum = schedule.serial;
			doubles += schedule.doubles;
			process.stdout.write(`  round ${round + 1} dispense: ${result.ms.toFixed(0)} ms, ideal ${schedule.ideal.toFixed(0)} ms\n`);
		}
		const dispenseRatio = median(dispense.map((ms, i) => ms / ideal[i]));
		rows.push({ name: '5. Dispense 40 on 8 machines: node ÷ ideal schedule', ours: dispense, base: ideal, unit: 'ms', ratio: dispenseRatio, target: '≤ 1.05', pass: dispenseRatio <= 1.05 && doubles === 0 });
		notes.push(`dispense ratio is the median of per-round ratios; double dispenses: ${doubles}; one at a time the dispenses alone add up to ${(serialSum / 1000).toFixed(1)} s (last round)`);
		if (process.env.BENCH_SERIAL !== '0') {
			const records = await newRecords(client);
			const result = await runWorker({ kind: 'dispense-serial', platform, records });
			const schedule = await idealMs(client, records);
			notes.push(
				`one at a time (one record per execution, as n8n runs items by default): ${(result.ms / 1000).toFixed(1)} s = ${(result.ms / median(dispense)).toFixed(1)}× our median, ${(result.ms / schedule.ideal).toFixed(1)}× its ideal (measured once)`,
			);
		}

		// 6: trigger in real n8n
		let triggerRatio = NaN;
		if (process.env.BENCH_TRIGGER !== '0') {
			const rounds: TriggerRound[] = await measureTriggers(ROUNDS, (line) => process.stdout.write(`  ${line}\n`), platform);
			const ours = rounds.map((r) => r.ours);
			const webhook = rounds.map((r) => r.webhook);
			triggerRatio = median(ours) / median(webhook);
			rows.push({ name: '6. Trigger in real n8n: ours ÷ Webhook node (executions/s)', ours, base: webhook, unit: '/s', ratio: triggerRatio, target: '≥ 0.95', pass: triggerRatio >= 0.95 });
			for (const r of rounds.slice(0, 1)) notes.push(...r.notes);
			const ratioTo = (pick: (r: TriggerRound) => number) => (median(rounds.map(pick)) / median(webhook)).toFixed(2);
			notes.push(
				`trigger diagnostics ÷ Webhook node: ours with deduplication off ${ratioTo((r) => r.oursNoDedupe)}×; n8n's Webhook node with one expression in its options ${ratioTo((r) => r.webhookIsolate)}× (n8n 2.x takes an expression isolate per call for every trigger but its own static Webhook node)`,
			);
		}

		// 3 + 4: what a customer waits for, in real n8n 2.x with its default settings
		let payRatio = NaN;
		let refundRatio = NaN;
		if (process.env.BENCH_LATENCY !== '0') {
			const log = (line: string) => process.stdout.write(`  ${line}\n`);
			const latency = await measureLatency({ log, build: true });
			rows.push(...latencyRows(latency));
			payRatio = latency.payToCommand.ratio;
			refundRatio = latency.failureToRefund.ratio;
			notes.push(...latencyReport(latency).filter((line) => line.startsWith('  · ')).map((line) => line.slice(4)));
			if (process.env.BENCH_LEGACY !== '0') {
				// Diagnostic: the same with n8n's older expression engine, which takes no isolate per webhook call.
				const legacy = await measureLatency({ log, build: false, n8nEnv: { N8N_EXPRESSION_ENGINE: 'legacy' } });
				notes.push(
					`diagnostic, N8N_EXPRESSION_ENGINE=legacy: payment → command ours ÷ DIY ${legacy.payToCommand.ratio.toFixed(2)}× (${pct(legacy.payToCommand.ours)} vs ${pct(legacy.payToCommand.diy)}); failure → refund ${legacy.failureToRefund.ratio.toFixed(2)}× (${pct(legacy.failureToRefund.ours)} vs ${pct(legacy.failureToRefund.diy)}); end − dispense p50 +${legacy.endOverDispense.p50.toFixed(0)} ms`,
				);
			}
		}

		// 8: peak RSS of n8n's processes, Update Order ×500 and ×5,000, ours vs DIY
		let rssRatio = NaN;
		if (process.env.BENCH_RSS !== '0') {
			const paidCount = async (orders: OrderRef[]) => {
				const ids = new Set(orders.map((o) => o.order_id));
				return (await client.state()).orders.filter((o: { order_id: number; status: string }) => ids.has(o.order_id) && o.status === 'SUCCESS').length;
			};
			const rss = await measureRss({ rounds: ROUNDS, log: (line) => process.stdout.write(`  ${line}\n`), platform, newOrders: (n) => newOrders(client, n), paidCount });
			rssRatio = rss.ratio;
			const largest = Math.max(...rss.sizes);
			rows.push({ name: `8. Peak RSS of n8n's processes, Update ×${largest}: node ÷ DIY`, ours: rss.series.node, base: rss.series.diy, unit: 'MiB', ratio: rss.ratio, target: '≤ 1 (none set)', pass: rss.ratio <= 1 });
			notes.push(`peak RSS per item from ${Math.min(...rss.sizes)} to ${largest} items: node ${rss.perItemKiB.node.toFixed(1)} KiB, DIY ${rss.perItemKiB.diy.toFixed(1)} KiB`);
			for (const line of rss.lines) console.log(`  ${line}`);
			await resetSandbox();
		}

		// 7: queue mode, 1,000 payments over 100 machines
		let queueRatio = NaN;
		if (process.env.BENCH_QUEUE !== '0') {
			const q = await measureQueue({ orders: 1000, machines: 100, timeScale: QUEUE_SCALE, log: (line) => process.stdout.write(`  ${line}\n`) });
			queueRatio = q.ratio;
			rows.push({
				name: `7. Queue mode, 2 workers, ${q.orders} orders / ${q.machines} machines (scale ${q.timeScale}): ÷ ideal`,
				ours: [q.totalMs / 1000],
				base: [q.idealMs / 1000],
				unit: 's',
				ratio: q.ratio,
				target: '≤ 1.2',
				pass: q.pass,
				text: { ours: `${(q.totalMs / 1000).toFixed(1)} s`, base: `${(q.idealMs / 1000).toFixed(1)} s` },
			});
			notes.push(
				`queue mode: ${q.succeeded}/${q.executions} executions succeeded, ${q.doubles} double dispenses, ${q.undispensed} undispensed, ${q.busyRefusals} busy refusals; lead-in (first POST → a machine's first dispense, median) ${(q.leadInMs / 1000).toFixed(1)} s; ${q.cpuPerExecutionMs.toFixed(0)} ms of CPU per execution over the whole stack`,
				...q.notes.map((note) => `queue mode: ${note}`),
			);
		}

		// 9: queue mode, workers killed mid-payment; the Unfinished Payments trigger finishes them
		let crash: CrashResult | undefined;
		if (process.env.BENCH_CRASH !== '0') {
			crash = await measureCrashes({ payments: 100, machines: 20, kills: 10, log: (line) => process.stdout.write(`  ${line}\n`) });
			rows.push({
				name: `9. Queue mode, ${crash.payments} payments / ${crash.machines} machines, ${crash.kills} workers SIGKILLed: payment → end`,
				ours: crash.resolveSeconds,
				base: [],
				unit: 's',
				ratio: crash.unresolved,
				target: '0 unresolved, 0 twice',
				pass: crash.unresolved === 0 && crash.doubles === 0,
				text: { ours: `p50 ${crash.p50.toFixed(1)} s · p95 ${crash.p95.toFixed(1)} s`, base: `${crash.dispensed} dispensed · ${crash.refunded} refunded`, ratio: `${crash.unresolved} unresolved, ${crash.doubles} twice` },
			});
			notes.push(...crash.notes.map((note) => `crashes: ${note}`));
		}

		// 10: a simulated day, then the reconciliation
		let day: DayResult | undefined;
		if (process.env.BENCH_DAY !== '0') {
			const dayStarted = Date.now();
			day = await simulateDay({ payments: 500, machines: 20, log: (line) => process.stdout.write(`  ${line}\n`) });
			const twice = day.doubleDispenses + day.doubleRefunds + day.both;
			rows.push({
				name: `10. A simulated day, ${day.payments} payments / ${day.machines} machines, n8n down past the re-sends, then example 10`,
				ours: [(Date.now() - dayStarted) / 1000],
				base: [],
				unit: 's',
				ratio: day.unaccounted,
				target: '0 unaccounted, 0 twice',
				pass: day.unaccounted === 0 && twice === 0,
				text: { ours: `${day.lost} lost to the outage`, base: `${day.dispensed} dispensed · ${day.refunded} refunded`, ratio: `${day.unaccounted} unaccounted, ${twice} twice` },
			});
			notes.push(...day.summaries.map((s) => `day: ${String(s?.message)}`), ...day.notes.map((note) => `day: ${note}`));
		}

		for (const name of OPEN) rows.push({ name, ours: [], base: [], unit: '', ratio: NaN, target: '', pass: false, open: true });
		const measured = rows.filter((r) => !r.open);
		console.log('');
		printTable(rows);
		console.log('');
		for (const note of [...new Set(notes)]) console.log(`  · ${note}`);
		console.log(`  · ${((Date.now() - started) / 1000).toFixed(0)} s in all; ${measured.filter((r) => !r.pass).length} target(s) missed, ${OPEN.length} scenario(s) not measured yet`);
		const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'nan');
		console.log(
			`bench: node_vs_http=${f(nodeVsHttp)} diy_vs_node=${f(diyVsNode)} pay_to_dispense_vs_diy=${f(payRatio)} refund_vs_diy=${f(refundRatio)} dispense_vs_ideal=${f(dispenseRatio)} trigger_vs_webhook=${f(triggerRatio)} queue_vs_ideal=${f(queueRatio)} rss_node_vs_diy=${f(rssRatio)} unresolved=${crash ? crash.unresolved : 'nan'} resolve_p95_s=${crash ? crash.p95.toFixed(1) : 'nan'} unaccounted=${day ? day.unaccounted : 'nan'} day_twice=${day ? day.doubleDispenses + day.doubleRefunds + day.both : 'nan'}`,
		);
		return measured.every((r) => r.pass) ? 0 : 1;
	} finally {
		await sandbox.close();
	}
}

const watchdog = setTimeout(() => {
	console.error(`bench: still running after ${WATCHDOG_MS / 60_000} min, stopping`);
	for (const child of children) child.kill('SIGKILL');
	process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

main()
	.then((code) => (process.exitCode = code))
	.catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	})
	.finally(() => {
		for (const child of children) child.kill('SIGKILL');
		rmSync(tmp, { recursive: true, force: true });
	});
