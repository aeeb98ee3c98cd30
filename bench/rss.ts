/**
 * Scenario 8 of issue 15: peak RSS of the n8n process(es) running Update Order over N items,
 * our node vs the DIY pair (Code node MD5 + base64 → HTTP Request), and how each peak grows from
 * 500 to 5,000 items. Same real n8n 2.41.1 set-up and workflows as scenarios 1–2 (realN8n.ts):
 * Manual Trigger → Code (the items) → our node | Sign (Code) → HTTP Request, fresh NOTPAY orders
 * (one per item) really set to Paid — the merchant's real workload (Get Order would read the same
 * few answers; Update is what a paid-order workflow runs).
 *
 * Each run is `n8n execute --rawOutput`, a fresh process we spawn ourselves (own process group,
 * killed in `finally`) so we know its pid: n8n's main process plus the JS task-runner child it
 * always starts in 2.x (where Code nodes run). While it runs, /proc/<pid>/status of every process
 * in that tree is read every ~20 ms; the figure is the peak of the SUM of VmRSS over the tree.
 * Main and runner are reported separately too, with the last VmHWM read of each (a process's own
 * high-water mark; their sum is an upper bound of the summed peak — the two may peak apart).
 * A baseline (Manual Trigger → Code returning one item) shows what n8n costs with no items.
 *
 * Each sample is placed against the run's startedAt/stoppedAt: the peak before the workflow
 * started (n8n loading), while it ran, and after it stopped (n8n saving the execution to its
 * database and printing it as JSON) — which says where per-item memory comes from. Main also
 * runs with --trace-gc: its V8 heap (committed, and live after a full GC once the workflow has
 * started) tells data kept per item from heap V8 simply has not collected yet.
 *
 * Alone: `npx ts-node --transpile-only bench/rss.ts` (own sandbox on 127.0.0.1);
 * RSS_SIZES=500,5000 and RSS_ROUNDS=3 by default; RSS_MAIN_FLAGS adds V8 flags to n8n's main process.
 */
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import { join, resolve } from 'path';
import { Worker } from 'worker_threads';

import { PACKAGE, firstJsonObject, freePort, n8nEnv, run, sleep, tail, type N8nSettings } from '../scripts/local';
import type { OrderRef, Platform } from './jobs';
import { median, pool } from './measure';
import { startRealN8n, workflow, type RealN8n } from './realN8n';

export const SIZES = [500, 5000];
export type RssVariant = 'node' | 'diy';
export const RSS_VARIANTS: RssVariant[] = ['node', 'diy'];
/** The workflow's last node per variant (its output is checked). */
const LAST: Record<RssVariant, string> = { node: 'DingShang Vending', diy: 'HTTP Request' };
const SAMPLE_MS = 20;
/** Process tree re-read every this many samples (the runner starts once, early). */
const TREE_EVERY = 5;
const RUN_TIMEOUT_MS = 10 * 60_000;

type Kind = 'main' | 'runner' | 'other';

/** The memory of one `n8n execute` (bytes). */
export interface RunMemory {
	/** Peak of the sampled sum of VmRSS over the process tree. */
	peak: number;
	/** Peak sampled VmRSS of each kind of process. */
	peakOf: Record<Kind, number>;
	/** Last VmHWM read of each kind (summed when several). */
	hwmOf: Record<Kind, number>;
	/** Peak of the sum before the workflow started, while it ran, after it stopped. */
	phase: { startup: number; run: number; after: number };
	/** The phase the overall peak fell in. */
	peakIn: 'startup' | 'run' | 'after';
	/** Bytes of each node's output in the run data (compact JSON). */
	runData: Record<string, number>;
	/** Bytes n8n printed (the pretty JSON of the whole run). */
	printed: number;
	samples: number;
	maxGapMs: number;
	wallMs: number;
	/** Workflow time (stoppedAt − startedAt). */
	runMs: number;
	/** V8 heaps of the main process, from its --trace-gc lines: n8n's own isolate and the expression engine's. */
	heap: { main: HeapFigures; expressions: HeapFigures };
}

/** One process's V8 heap(s) as --trace-gc shows them (bytes). */
export interface HeapFigures {
	/** Largest heap size V8 held (committed) — what RSS sees. */
	committed: number;
	/** Full GCs (Mark-Compact) in all, and those after the workflow started. */
	fullGcs: number;
	fullGcsInRun: number;
	/**
	 * Live size after the last full GC once the workflow had started (0 without one). Full GCs at
	 * start-up happen before n8n has loaded everything, so they say nothing about the items.
	 */
	liveAfterRunFullGc: number;
	isolates: number;
}

export interface RssResult {
	sizes: number[];
	rounds: number;
	baseline: RunMemory[];
	runs: Record<RssVariant, Record<number, RunMemory[]>>;
	/** ours ÷ DIY of the median peak, per size. */
	ratios: Record<number, number>;
	/** The last line's rss_node_vs_diy: the ratio at the largest size. */
	ratio: number;
	/** Median peaks (MiB) at the largest size per round, for a table row. */
	series: Record<RssVariant, number[]>;
	/** (peak(largest) − peak(smallest)) ÷ (largest − smallest), KiB per item, of the median peaks. */
	perItemKiB: Record<RssVariant, number>;
	/** Lines to print (table and explanation). */
	lines: string[];
}

// ─── sampling /proc ─────────────────────────────────────────────────────────────────────────

interface Sample {
	t: number;
	total: number;
	byKind: Record<Kind, number>;
}

/**
 * The sampler, in a worker thread: its own event loop, so the sandbox serving requests in our
 * main thread does not delay samples. Plain JS (eval). The tree is re-read every TREE_EVERY
 * samples from each thread's `children` list (a child belongs to the thread that forked it); a
 * process's kind is re-read until known, as a fresh child shows its parent's cmdline until exec.
 */
const SAMPLER = String.raw`
const { parentPort, workerData } = require('worker_threads');
const { readFileSync, readdirSync } = require('fs');
const { root, everyMs, treeEvery } = workerData;
const read = (path) => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };
const kB = (status, field) => Number((field === 'VmRSS' ? /^VmRSS:\s+(\d+) kB/m : /^VmHWM:\s+(\d+) kB/m).exec(status)?.[1] ?? 0) * 1024;
const tree = () => {
  const found = [root];
  for (let i = 0; i < found.length && found.length < 64; i++) {
    let tids = [];
    try { tids = readdirSync('/proc/' + found[i] + '/task'); } catch { continue; }
    for (const tid of tids) for (const pid of (read('/proc/' + found[i] + '/task/' + tid + '/children') ?? '').split(' ')) if (pid.trim()) found.push(Number(pid));
  }
  return [...new Set(found)];
};
const samples = [];
const kinds = new Map([[root, 'main']]);
const hwm = new Map();
let pids = [root];
let ticks = 0;
const tick = () => {
  if (ticks++ % treeEvery === 0) {
    pids = tree();
    for (const pid of pids) if (kinds.get(pid) !== 'main' && kinds.get(pid) !== 'runner') {
      kinds.set(pid, /task-runner/.test((read('/proc/' + pid + '/cmdline') ?? '').replace(/\0/g, ' ')) ? 'runner' : 'other');
    }
  }
  const byKind = { main: 0, runner: 0, other: 0 };
  for (const pid of pids) {
    const status = read('/proc/' + pid + '/status');
    if (!status) continue;
    byKind[kinds.get(pid) ?? 'other'] += kB(status, 'VmRSS');
    const high = kB(status, 'VmHWM');
    if (high > 0) hwm.set(pid, high); // a zombie has no mm: keep the last real value
  }
  samples.push({ t: Date.now(), total: byKind.main + byKind.runner + byKind.other, byKind });
};
tick();
const timer = setInterval(tick, everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  const hwmOf = { main: 0, runner: 0, other: 0 };
  for (const [pid, high] of hwm) hwmOf[kinds.get(pid) ?? 'other'] += high;
  parentPort.postMessage({ samples, hwmOf });
});
`;

/** Samples the tree under `root` every SAMPLE_MS until `stop()`; `close()` ends the thread in any case. */
function sampleTree(root: number) {
	const worker = new Worker(SAMPLER, { eval: true, workerData: { root, everyMs: SAMPLE_MS, treeEvery: TREE_EVERY } });
	const failed = new Promise<never>((_, fail) => worker.once('error', fail));
	failed.catch(() => undefined); // reported by stop()
	return {
		async stop(): Promise<{ samples: Sample[]; hwmOf: Record<Kind, number> }> {
			const answer = new Promise<{ samples: Sample[]; hwmOf: Record<Kind, number> }>((done) => worker.once('message', done));
			worker.postMessage('stop');
			let timer: NodeJS.Timeout | undefined;
			const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('RSS sampler did not answer')), 10_000)));
			try {
				return await Promise.race([answer, failed, late]);
			} finally {
				clearTimeout(timer);
			}
		},
		close: () => void worker.terminate(),
	};
}

// ─── V8's --trace-gc ────────────────────────────────────────────────────────────────────────

/** `[pid:0xisolate]  1234 ms: Mark-Compact 97.0 (146.1) -> 83.6 (212.8) MB, …` (used (committed) before -> after). */
const GC_LINE = /^\[\d+:(0x[0-9a-f]+)\]\s+([\d.]+) ms: ([A-Za-z-]+(?: [A-Za-z-]+)?(?: \([a-z]+\))?) ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

/**
 * The heaps of the main process, from its --trace-gc lines (which share stdout with n8n's output).
 * The first isolate to collect is n8n's own; later ones are the expression engine's (isolated-vm,
 * n8n 2.x's default `vm` engine: `={{ … }}` parameters are evaluated there, in the main process).
 * `runFromMs`: when the workflow started, in ms after the process did (the lines' clock).
 */
function gcFigures(lines: string[], runFromMs: number): RunMemory['heap'] {
	const byIsolate = new Map<string, HeapFigures>();
	for (const line of lines) {
		const m = GC_LINE.exec(line);
		if (!m) continue;
		const [, isolate, ms, kind, , committedBefore, usedAfter, committedAfter] = m;
		const mb = (text: string) => Number(text) * 2 ** 20;
		const f = byIsolate.get(isolate) ?? { committed: 0, fullGcs: 0, fullGcsInRun: 0, liveAfterRunFullGc: 0, isolates: 1 };
		f.committed = Math.max(f.committed, mb(committedBefore), mb(committedAfter));
		if (kind.startsWith('Mark-Compact')) {
			f.fullGcs++;
			if (Number(ms) >= runFromMs) {
				f.fullGcsInRun++;
				f.liveAfterRunFullGc = mb(usedAfter);
			}
		}
		byIsolate.set(isolate, f);
	}
	const [main, ...others] = [...byIsolate.values()];
	const none: HeapFigures = { committed: 0, fullGcs: 0, fullGcsInRun: 0, liveAfterRunFullGc: 0, isolates: 0 };
	const expressions = others.reduce(
		(sum, f) => ({
			committed: sum.committed + f.committed,
			fullGcs: sum.fullGcs + f.fullGcs,
			fullGcsInRun: sum.fullGcsInRun + f.fullGcsInRun,
			liveAfterRunFullGc: sum.liveAfterRunFullGc + f.liveAfterRunFullGc,
			isolates: sum.isolates + 1,
		}),
		none,
	);
	return { main: main ?? none, expressions };
}

// ─── one run ────────────────────────────────────────────────────────────────────────────────

/**
 * `n8n execute --id --rawOutput` in its own process group, sampled; returns the run and its memory.
 * Its stdout goes to a file, not a pipe: Node writes to a pipe asynchronously and n8n calls
 * process.exit() ~100 ms after printing, so a slow reader gets a cut-off JSON (seen at 5,000 items
 * on this loaded box). Main runs with --trace-gc (not allowed in NODE_OPTIONS; the runner, started
 * with its own flags, does not get it).
 */
async function executeSampled(settings: N8nSettings, id: string, mainFlags: string[] = []): Promise<{ run: any; memory: RunMemory }> {
	// A broker port of its own, as n8nCli does (other n8n processes may be running beside it).
	const env = n8nEnv({ ...settings, runnersBrokerPort: await freePort() });
	const outPath = join(settings.userFolder, `execute-${id}-${randomUUID()}.out`);
	const outFd = openSync(outPath, 'w', 0o600);
	const started = Date.now();
	let child: ReturnType<typeof spawn>;
	try {
		child = spawn(settings.n8n.node, ['--trace-gc', ...mainFlags, settings.n8n.bin, 'execute', `--id=${id}`, '--rawOutput'], { cwd: settings.userFolder, env, detached: true, stdio: ['ignore', outFd, 'pipe'] });
	} finally {
		closeSync(outFd); // the child has its own copy
	}
	const killGroup = () => {
		try {
			if (child.pid) process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* group already empty */
		}
	};
	process.once('exit', killGroup); // a bench that dies with an error does not leave n8n behind
	let err = '';
	child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-20_000)));
	const sampler = child.pid ? sampleTree(child.pid) : undefined;
	let timer: NodeJS.Timeout | undefined;
	try {
		const code = await new Promise<number | null>((done, fail) => {
			child.once('error', fail);
			child.once('close', done);
			timer = setTimeout(() => {
				killGroup();
				fail(new Error(`n8n execute ${id}: no exit after ${RUN_TIMEOUT_MS / 1000} s`));
			}, RUN_TIMEOUT_MS);
		});
		const wallMs = Date.now() - started;
		const { samples, hwmOf } = sampler ? await sampler.stop() : { samples: [] as Sample[], hwmOf: { main: 0, runner: 0, other: 0 } };
		const lines = readFileSync(outPath, 'utf8').split('\n');
		const stdout = lines.filter((line) => !GC_LINE.test(line)).join('\n');
		if (code !== 0) throw new Error(`n8n execute ${id} failed (${code}):\n${tail(stdout)}\n${tail(err)}`);
		const run = JSON.parse(firstJsonObject(stdout));
		if (run.data?.resultData?.error) throw new Error(`${id}: ${JSON.stringify(run.data.resultData.error).slice(0, 600)}`);
		const begin = Date.parse(run.startedAt);
		const end = Date.parse(run.stoppedAt);
		const peakWhere = (keep: (s: Sample) => boolean) => Math.max(0, ...samples.filter(keep).map((s) => s.total));
		const phase = { startup: peakWhere((s) => s.t < begin), run: peakWhere((s) => s.t >= begin && s.t <= end), after: peakWhere((s) => s.t > end) };
		const peak = peakWhere(() => true);
		const peakOf = (kind: Kind) => Math.max(0, ...samples.map((s) => s.byKind[kind]));
		const runDataOf = run.data?.resultData?.runData ?? {};
		return {
			run,
			memory: {
				peak,
				peakOf: { main: peakOf('main'), runner: peakOf('runner'), other: peakOf('other') },
				hwmOf,
				phase,
				peakIn: peak === phase.run ? 'run' : peak === phase.after ? 'after' : 'startup',
				runData: Object.fromEntries(Object.entries(runDataOf).map(([name, runs]) => [name, JSON.stringify(runs).length])),
				printed: stdout.length,
				samples: samples.length,
				maxGapMs: samples.reduce((gap, s, i) => (i === 0 ? 0 : Math.max(gap, s.t - samples[i - 1].t)), 0),
				wallMs,
				runMs: end - begin,
				heap: gcFigures(lines, begin - started),
			},
		};
	} finally {
		clearTimeout(timer);
		sampler?.close();
		killGroup(); // the runner or anything else left in the group
		process.removeListener('exit', killGroup);
		rmSync(outPath, { force: true });
	}
}

/** Why the installed package's node and credential files do not load (in n8n's Node, with its modules), if they do not. */
async function packageLoadProblem(s: N8nSettings): Promise<string | undefined> {
	const dir = join(s.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE.name);
	const { n8n: entries } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	const files = [...entries.nodes, ...entries.credentials].map((file) => join(dir, file));
	const env = { ...process.env, NODE_PATH: resolve(s.n8n.bin, '..', '..', '..') }; // n8n-workflow, as n8n provides it
	const result = await run(s.n8n.node, ['-e', `for (const file of ${JSON.stringify(files)}) require(file);`], { env, timeoutMs: 60_000 });
	return result.code === 0 ? undefined : tail(result.stderr, 4);
}

/**
 * startRealN8n, checked: other work in the same checkout may run `npm run build` (which empties
 * dist/ first) while ours packs, and n8n then runs without our node. Set up again in that case.
 */
async function startLoaded(platform: Platform, log: (line: string) => void): Promise<RealN8n> {
	for (let attempt = 1; ; attempt++) {
		const n8n = await startRealN8n(platform);
		const problem = await packageLoadProblem(n8n.settings).catch((error: Error) => error.message);
		if (!problem) return n8n;
		await n8n.close();
		if (attempt === 3) throw new Error(`the packed package does not load:\n${problem}`);
		log(`the packed package does not load (${problem.split('\n')[0]}): packing again`);
		await sleep(10_000);
	}
}

/** The last node's output: `size` items, all really changed (ours) or answered `code 0` (HTTP node). */
function check(variant: RssVariant, size: number, run: any): void {
	const output = ((run.data?.resultData?.runData?.[LAST[variant]]?.[0]?.data?.main?.[0] ?? []) as Array<{ json: Record<string, unknown> }>).map((item) => item.json);
	if (output.length !== size) throw new Error(`rss ${variant} ×${size}: ${output.length} of ${size} items`);
	const bad = output.filter((o) => (variant === 'node' ? o.changed !== true : o.code !== 0));
	if (bad.length > 0) throw new Error(`rss ${variant} ×${size}: ${bad.length} bad items, e.g. ${JSON.stringify(bad[0])}`);
}

// ─── rounds ─────────────────────────────────────────────────────────────────────────────────

const mib = (bytes: number) => bytes / 2 ** 20;
const m1 = (bytes: number) => mib(bytes).toFixed(0);
const rotate = <T>(list: T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length]);

function baselineWorkflow() {
	const node = (name: string, type: string, typeVersion: number, parameters: object) => ({ id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters });
	const nodes = [node('Start', 'n8n-nodes-base.manualTrigger', 1, {}), node('Items', 'n8n-nodes-base.code', 2, { jsCode: 'return [{ json: { ok: true } }];' })];
	return { id: 'dsRssBaseline01', name: 'bench: rss baseline', versionId: randomUUID(), active: false, nodes, connections: { Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] } }, settings: { executionOrder: 'v1' } };
}

/**
 * `rounds` interleaved rounds (the run order rotated per round) of: the baseline, and Update Order
 * × each size for each variant over fresh NOTPAY orders. `paidCount(orders)`, when given, checks
 * the sandbox has them all paid after each run.
 */
export async function measureRss(opts: {
	sizes?: number[];
	rounds: number;
	log: (line: string) => void;
	platform: Platform;
	newOrders: (count: number) => Promise<OrderRef[]>;
	paidCount?: (orders: OrderRef[]) => Promise<number>;
	/** Extra V8 flags for n8n's main process (a diagnostic, e.g. `--max-old-space-size=160`: does it still finish?). */
	mainFlags?: string[];
}): Promise<RssResult> {
	const sizes = [...(opts.sizes ?? SIZES)].sort((a, b) => a - b);
	const { platform, log } = opts;
	const n8n = await startLoaded(platform, log);
	try {
		const baseline: RunMemory[] = [];
		const runs = Object.fromEntries(RSS_VARIANTS.map((v) => [v, Object.fromEntries(sizes.map((s) => [s, [] as RunMemory[]]))])) as RssResult['runs'];
		const base = baselineWorkflow();
		await n8n.importWorkflows([base]);
		type Job = { variant: RssVariant; size: number } | { variant: 'baseline' };
		const jobs: Job[] = [{ variant: 'baseline' }, ...sizes.flatMap((size) => RSS_VARIANTS.map((variant) => ({ variant, size })))];
		for (let round = 0; round < opts.rounds; round++) {
			// Fresh NOTPAY orders for every run of the round, created before any of them runs.
			const flows = new Map<string, { id: string; orders: OrderRef[] }>();
			for (const size of sizes) {
				for (const variant of RSS_VARIANTS) {
					const orders = await opts.newOrders(size);
					flows.set(`${variant}/${size}`, { id: '', orders });
				}
			}
			const generated = [...flows.entries()].map(([key, flow]) => {
				const wf = workflow(platform, 'update', key.split('/')[0] as RssVariant, flow.orders);
				flow.id = wf.id;
				return wf;
			});
			await n8n.importWorkflows(generated);
			for (const job of rotate(jobs, round)) {
				if (job.variant === 'baseline') {
					const { memory } = await executeSampled(n8n.settings, base.id, opts.mainFlags);
					baseline.push(memory);
					log(`round ${round + 1} rss baseline: peak ${m1(memory.peak)} MiB (main ${m1(memory.peakOf.main)}, runner ${m1(memory.peakOf.runner)})`);
					continue;
				}
				const flow = flows.get(`${job.variant}/${job.size}`) as { id: string; orders: OrderRef[] };
				const { run, memory } = await executeSampled(n8n.settings, flow.id, opts.mainFlags);
				check(job.variant, job.size, run);
				if (opts.paidCount) {
					const paid = await opts.paidCount(flow.orders);
					if (paid !== job.size) throw new Error(`rss ${job.variant} ×${job.size}: ${paid} of ${job.size} orders paid in the sandbox`);
				}
				runs[job.variant][job.size].push(memory);
				log(
					`round ${round + 1} rss ${job.variant} ×${job.size}: peak ${m1(memory.peak)} MiB (main ${m1(memory.peakOf.main)}, runner ${m1(memory.peakOf.runner)}; ` +
						`startup ${m1(memory.phase.startup)}, run ${m1(memory.phase.run)}, after ${m1(memory.phase.after)}) in ${(memory.wallMs / 1000).toFixed(1)} s`,
				);
			}
		}
		return summarize(sizes, opts.rounds, baseline, runs);
	} finally {
		await n8n.close();
	}
}

// ─── report ─────────────────────────────────────────────────────────────────────────────────

function summarize(sizes: number[], rounds: number, baseline: RunMemory[], runs: RssResult['runs']): RssResult {
	const med = (list: RunMemory[], pick: (m: RunMemory) => number) => median(list.map(pick));
	const peakOf = (v: RssVariant, size: number, pick: (m: RunMemory) => number = (m) => m.peak) => med(runs[v][size], pick);
	const small = sizes[0];
	const large = sizes[sizes.length - 1];
	const slope = (v: RssVariant, from: number, to: number, pick?: (m: RunMemory) => number) => (peakOf(v, to, pick) - peakOf(v, from, pick)) / (to - from) / 1024;
	const ratios = Object.fromEntries(sizes.map((s) => [s, peakOf('node', s) / peakOf('diy', s)]));
	const perItemKiB = Object.fromEntries(RSS_VARIANTS.map((v) => [v, large > small ? slope(v, small, large) : NaN])) as Record<RssVariant, number>;
	const basePeak = med(baseline, (m) => m.peak);
	const lines: string[] = [];
	const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'nan');
	lines.push(`baseline (Manual Trigger → Code, 1 item): peak ${f(mib(basePeak), 0)} MiB = main ${f(mib(med(baseline, (m) => m.peakOf.main)), 0)} + runner ${f(mib(med(baseline, (m) => m.peakOf.runner)), 0)} (medians of ${baseline.length})`);
	for (const size of sizes) {
		const cell = (v: RssVariant) => {
			const list = runs[v][size];
			const peaks = list.map((m) => mib(m.peak));
			return `${v} ${f(median(peaks), 0)} [${f(Math.min(...peaks), 0)}–${f(Math.max(...peaks), 0)}] MiB (main ${f(mib(med(list, (m) => m.peakOf.main)), 0)}, runner ${f(mib(med(list, (m) => m.peakOf.runner)), 0)}${med(list, (m) => m.peakOf.other) > 0 ? `, other ${f(mib(med(list, (m) => m.peakOf.other)), 0)}` : ''}; VmHWM main ${f(mib(med(list, (m) => m.hwmOf.main)), 0)}, runner ${f(mib(med(list, (m) => m.hwmOf.runner)), 0)})`;
		};
		lines.push(`×${size}: ${cell('node')} | ${cell('diy')} | node ÷ DIY ${f(ratios[size], 2)}`);
	}
	for (const v of RSS_VARIANTS) {
		const steps = sizes.slice(1).map((to, i) => `${sizes[i]}→${to}: ${f(slope(v, sizes[i], to))}`);
		const parts = (['main', 'runner'] as const).map((k) => `${k} ${f(slope(v, small, large, (m) => m.peakOf[k]))}`);
		const fromBase = (peakOf(v, small) - basePeak) / small / 1024;
		lines.push(
			`${v} growth, KiB/item of the peak: ${small}→${large} ${f(perItemKiB[v])} (${parts.join(', ')})${sizes.length > 2 ? `; steps ${steps.join(', ')}` : ''}; baseline→${small} ${f(fromBase)} (includes the node types' own load)`,
		);
	}
	for (const v of RSS_VARIANTS) {
		const list = runs[v][large];
		const where = list.map((m) => m.peakIn).join('/');
		const nodes = Object.keys(list[0]?.runData ?? {});
		const data = nodes.map((name) => `${name} ${f(med(list, (m) => m.runData[name] ?? 0) / large, 0)}`).join(', ');
		lines.push(
			`${v} ×${large}: peak while the workflow ran ${f(mib(med(list, (m) => m.phase.run)), 0)} MiB, after it stopped (save + print) ${f(mib(med(list, (m) => m.phase.after)), 0)} MiB, peak in: ${where}; ` +
				`run data bytes/item: ${data}; printed ${f(med(list, (m) => m.printed) / 2 ** 20)} MiB; workflow ${f(med(list, (m) => m.runMs) / 1000)} s`,
		);
	}
	// Where the growth is: V8's heaps of the main process (committed = what RSS sees; live after a full GC = retained).
	const heapCell = (list: RunMemory[]) => {
		const h = (pick: (m: RunMemory) => number) => f(mib(med(list, pick)), 0);
		const inRun = med(list, (m) => m.heap.main.fullGcsInRun);
		const live = inRun > 0 ? `, ${h((m) => m.heap.main.liveAfterRunFullGc)} MiB live after the last` : '';
		return `main heap ${h((m) => m.heap.main.committed)} MiB committed, full GCs after the workflow started: ${f(inRun, 0)}${live}; expression isolates ${h((m) => m.heap.expressions.committed)} MiB committed`;
	};
	lines.push(`baseline: ${heapCell(baseline)}`);
	for (const v of RSS_VARIANTS) {
		for (const size of sizes) lines.push(`${v} ×${size}: ${heapCell(runs[v][size])}`);
		if (large > small) {
			const per = (pick: (m: RunMemory) => number) => f((med(runs[v][large], pick) - med(runs[v][small], pick)) / (large - small) / 1024);
			lines.push(
				`${v} per item ${small}→${large}, KiB: main heap committed ${per((m) => m.heap.main.committed)}, expression isolates ${per((m) => m.heap.expressions.committed)}; main RSS ${per((m) => m.peakOf.main)}`,
			);
		}
	}
	const all = [...baseline, ...RSS_VARIANTS.flatMap((v) => sizes.flatMap((s) => runs[v][s]))];
	lines.push(`sampling: every ${SAMPLE_MS} ms, ${Math.min(...all.map((m) => m.samples))}–${Math.max(...all.map((m) => m.samples))} samples per run, longest gap ${Math.max(...all.map((m) => m.maxGapMs))} ms; peak = max of the summed VmRSS of n8n main + task runner`);
	return { sizes, rounds, baseline, runs, ratios, ratio: ratios[large], series: Object.fromEntries(RSS_VARIANTS.map((v) => [v, runs[v][large].map((m) => mib(m.peak))])) as RssResult['series'], perItemKiB, lines };
}

// ─── alone ──────────────────────────────────────────────────────────────────────────────────

if (require.main === module) {
	const WATCHDOG_MS = 60 * 60_000;
	const machines = ['30000001', '30000002', '30000003', '30000004'];
	const main = async () => {
		const { startSandbox } = await import('../sandbox');
		const { SandboxClient, tradeId } = await import('../test/helpers/sandboxClient');
		const sizes = (process.env.RSS_SIZES ?? SIZES.join(',')).split(',').map(Number);
		if (sizes.length < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`RSS_SIZES must be item counts, e.g. 500,5000`);
		const rounds = Math.max(1, Number(process.env.RSS_ROUNDS ?? 3));
		const mainFlags = (process.env.RSS_MAIN_FLAGS ?? '').split(' ').filter(Boolean);
		console.log(`scenario 8, peak RSS in real n8n: sizes ${sizes.join(', ')}, ${rounds} rounds${mainFlags.length ? `, main flags ${mainFlags.join(' ')}` : ''}; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
		const sandbox = await startSandbox({ port: 0, log: false, timeScale: 1 });
		try {
			const client = new SandboxClient(sandbox);
			for (const m of machines) await client.addMachine(m, 'motor', 1_000_000);
			const newOrders = async (count: number) => {
				const orders: OrderRef[] = new Array(count);
				await pool(count, 8, async (i) => {
					const machine_no = machines[i % machines.length];
					const created = await client.createOrder({ machine_no, trade_id: tradeId(), products: [{ product_id: 101 + (i % 3), quantity: 1 }] });
					if (created.data?.code !== 0) throw new Error(`create order: ${JSON.stringify(created.data)}`);
					orders[i] = { order_id: created.data.data.order_id as number, machine_no };
				});
				return orders;
			};
			const paidCount = async (orders: OrderRef[]) => {
				const ids = new Set(orders.map((o) => o.order_id));
				return (await client.state()).orders.filter((o: { order_id: number; status: string }) => ids.has(o.order_id) && o.status === 'SUCCESS').length;
			};
			const platform: Platform = { baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret, signKey: sandbox.signKey };
			const result = await measureRss({ sizes, rounds, log: (line) => console.log(`  ${line}`), platform, newOrders, paidCount, mainFlags });
			console.log('');
			for (const line of result.lines) console.log(`  · ${line}`);
			console.log(`bench: rss_node_vs_diy=${Number.isFinite(result.ratio) ? result.ratio.toFixed(2) : 'nan'}`);
		} finally {
			await sandbox.close();
		}
	};
	const watchdog = setTimeout(() => {
		console.error(`rss: still running after ${WATCHDOG_MS / 60_000} min, stopping`);
		process.exit(2); // the 'exit' handlers kill any n8n process group still running
	}, WATCHDOG_MS);
	watchdog.unref();
	main()
		.catch((error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		})
		.finally(() => clearTimeout(watchdog));
}
