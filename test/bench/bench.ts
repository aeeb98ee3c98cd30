/**
 * `npm run bench`: speed and memory of our code against baselines measured IN THE SAME RUN,
 * printed side by side as ratios with a target each (PASS/FAIL); exit code 1 when one fails.
 * Ratios, not absolute times, and medians of several repetitions: these machines are shared
 * and noisy. Timed unit tests are not allowed in this project; this is where such targets live.
 *
 * Rows (one file each in ./cases, the header comment there says exactly what is compared):
 *   1. signing      encodePayload vs a hand-inlined encoder            ops/s   ours ≥ 0.30× baseline
 *   2. nodeOverhead Get Order ×50 through n8n's engine vs raw axios     ms/item ours ≤ 3× baseline
 *   3. concurrency  Put Delivery ×20 on 5 machines vs on 1 machine      wall    ≥ 2× faster, 0 double dispenses
 *   4. memory       Get Order ×2,000 in one run: heap kept vs output    bytes   ≤ 10 heap bytes per output byte
 *   5. trigger      300 callbacks through the webhook harness           req/s   ours ≥ 0.5× a no-op trigger node
 *
 * This file re-runs itself in a child `node --expose-gc -r ts-node/register/transpile-only` with
 * TS_NODE_PREFER_TS_EXTS=true: the GC makes heap figures exact, and the ts-node option makes
 * `require('…/DingShangVending.node')` load the .ts source instead of the codex file
 * DingShangVending.node.json next to it (plain ts-node tries .json before .ts). Everything is on
 * 127.0.0.1, every loop is bounded, every server is closed, so the child exits by itself; the
 * parent kills it only if it overruns WATCHDOG_MS.
 */
import { spawn } from 'child_process';
import os from 'os';

import type { Row } from './measure';

const WATCHDOG_MS = 180_000;

function launch(): void {
	const child = spawn(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', __filename], {
		stdio: 'inherit',
		env: { ...process.env, BENCH_CHILD: '1', TS_NODE_PREFER_TS_EXTS: 'true', TS_NODE_TRANSPILE_ONLY: 'true' },
	});
	const watchdog = setTimeout(() => {
		console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, stopping it`);
		child.kill('SIGKILL');
	}, WATCHDOG_MS);
	child.on('exit', (code, signal) => {
		clearTimeout(watchdog);
		process.exitCode = code ?? (signal ? 1 : 0);
	});
}

function machineFacts(): string[] {
	const cpus = os.cpus();
	return [
		`node ${process.version} on ${os.platform()}/${os.arch()}, ${cpus.length} CPU × ${cpus[0]?.model.trim() ?? 'unknown'}`,
		`memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free; load average ${os
			.loadavg()
			.map((n) => n.toFixed(2))
			.join(' ')}`,
	];
}

function table(rows: Row[]): string[] {
	const header = ['#', 'Benchmark', 'Ours', 'Baseline (same run)', 'Ratio', 'Target', 'Result'];
	const cells = rows.map((r, i) => [String(i + 1), r.name, r.ours, r.baseline, `${r.ratio.toFixed(2)}×`, r.target, r.pass ? 'PASS' : 'FAIL']);
	const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
	const line = (row: string[]) => row.map((cell, c) => (c === 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' │ ');
	return [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line)];
}

async function main(): Promise<void> {
	const started = Date.now();
	console.log('DingShang n8n nodes — benchmark (ratios against baselines measured in this run)');
	for (const fact of machineFacts()) console.log(`  ${fact}`);
	console.log('');

	const cases: Array<[string, () => Promise<Row>]> = [
		['Signing', async () => (await import('./cases/signing')).signingRow()],
		['Node overhead', async () => (await import('./cases/nodeOverhead')).nodeOverheadRow()],
		['Concurrency', async () => (await import('./cases/concurrency')).concurrencyRow()],
		['Memory', async () => (await import('./cases/memory')).memoryRow()],
		['Trigger', async () => (await import('./cases/trigger')).triggerRow()],
	];
	const rows: Row[] = [];
	for (const [name, run] of cases) {
		const t0 = Date.now();
		process.stdout.write(`  running ${name}… `);
		try {
			rows.push(await run());
		} catch (error) {
			rows.push({ name, ours: 'error', baseline: '-', ratio: NaN, target: '-', pass: false, notes: [`${name}: ${(error as Error)?.stack ?? error}`] });
		}
		console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
	}

	console.log('');
	for (const line of table(rows)) console.log(line);
	console.log('');
	for (const row of rows) for (const note of row.notes) console.log(`  · ${note}`);
	const failed = rows.filter((r) => !r.pass).length;
	console.log('');
	console.log(`${failed === 0 ? 'ALL TARGETS MET' : `${failed} TARGET(S) FAILED`} — ${((Date.now() - started) / 1000).toFixed(1)} s`);
	process.exitCode = failed === 0 ? 0 : 1;
}

if (process.env.BENCH_CHILD === '1') {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
} else {
	launch();
}
