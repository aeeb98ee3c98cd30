/**
 * One measured run in a process of its own, so that its peak RSS belongs to that run alone.
 * Started by bench.ts as `node -r ts-node/register/transpile-only worker.ts <job.json>`; prints
 * one line `RESULT {json}` and exits. Jobs (see ./jobs.ts for the exact workflows):
 *
 *   update-node  Update Order × N: Input → DingShang Vending, in n8n-core's WorkflowExecute
 *   update-diy   the same N updates as a merchant builds them without us: Input → n8n's Code node
 *                (MD5 sign + base64 payload) → n8n's HTTP Request node, same engine
 *   update-raw   the same N signed requests from a plain keep-alive `http` loop, no n8n, with
 *                REQUEST_LANES requests in flight (what our node allows)
 *   dispense     Put Delivery (wait for result) over the given records, one execution
 *   dispense-serial  the same, one execution per record, one after another
 *
 * BENCH_CPU_PROF=<dir> writes a CPU profile of each measured run there (slows it down).
 *
 * Peak RSS: after set-up and a warm-up run, the kernel's high-water mark is reset
 * (`/proc/self/clear_refs` ← 5), so VmHWM afterwards is the peak during the measured run.
 */
import '../test/helpers/n8n/env'; // first: before n8n-core is loaded

import { readFileSync, writeFileSync } from 'fs';
import { Session } from 'inspector';
import { performance } from 'perf_hooks';

import { runJob, type Job } from './jobs';

function kib(field: 'VmHWM' | 'VmRSS'): number {
	const status = readFileSync('/proc/self/status', 'utf8');
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
	return match ? Number(match[1]) * 1024 : NaN;
}

function resetPeak(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false; // not Linux or not allowed: VmHWM then covers the whole process life
	}
}

/** BENCH_CPU_PROF=<dir>: a V8 CPU profile of the measured run only (not start-up or warm-up). */
async function profiled<T>(work: () => Promise<T>, kind: string): Promise<T> {
	const dir = process.env.BENCH_CPU_PROF;
	if (!dir) return await work();
	const session = new Session();
	session.connect();
	const post = (method: string) => new Promise<any>((done, fail) => session.post(method, (e, r) => (e ? fail(e) : done(r))));
	await post('Profiler.enable');
	await post('Profiler.start');
	try {
		return await work();
	} finally {
		const { profile } = await post('Profiler.stop');
		writeFileSync(`${dir}/${kind}-${process.pid}.cpuprofile`, JSON.stringify(profile));
		session.disconnect();
	}
}

async function main(): Promise<void> {
	const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
	const prepared = await runJob.prepare(job);
	await prepared.warmUp();
	(globalThis as { gc?: () => void }).gc?.();
	const rssBefore = kib('VmRSS');
	const peakReset = resetPeak();
	const started = performance.now();
	const outcome = await profiled(() => prepared.measured(), job.kind);
	const ms = performance.now() - started;
	const peakRss = kib('VmHWM');
	await prepared.close();
	process.stdout.write(`RESULT ${JSON.stringify({ job: job.kind, ms, rssBefore, peakRss, peakReset, ...outcome })}\n`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stdout.write(`RESULT ${JSON.stringify({ error: String((error as Error)?.stack ?? error) })}\n`);
		process.exit(1);
	},
);
