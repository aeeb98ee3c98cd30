/**
 * Row 4 — memory. Get Order over 2,000 items in ONE execution (50 orders on 5 machines, each
 * order asked for 40 times), against the size of what it produces: the output items serialised as
 * JSON. Judged: heap the finished execution holds per output-JSON byte, i.e. heapUsed (after a
 * settle: a 1-item run, a pause, a full GC) with the result referenced minus the same after
 * dropping it. That is n8n's run data plus our output objects — what stays in memory until the
 * execution is saved.
 * The peak during the run (sampled every 5 ms, garbage included, no GC) is printed for information.
 * Without a usable GC the row prints a note and is judged on figures that include garbage.
 */
import { vendingRunner } from '../../helpers/vending';
import { openSandbox } from '../../helpers/sandboxClient';
import { fmt, gc, median, spread, type Row } from '../measure';

const MACHINES = ['10000001', '10000002', '10000003', '10000004', '10000005'];
const ORDERS_PER_MACHINE = 10;
const ITEMS = 2000;
const REPS = 3;
const TARGET = 10;
const SETTLE_MS = 300;

export async function memoryRow(): Promise<Row> {
	const client = await openSandbox({ timeScale: 1 });
	try {
		const orders: Array<{ machineNo: string; orderId: number }> = [];
		for (const machineNo of MACHINES) {
			for (let i = 0; i < ORDERS_PER_MACHINE; i++) orders.push({ machineNo, orderId: (await client.order(machineNo)).orderId });
		}
		const items = Array.from({ length: ITEMS }, (_, i) => orders[i % orders.length]);
		const run = vendingRunner(client);
		const params = { resource: 'order', operation: 'get', orderId: '={{$json.orderId}}', machineNo: '={{$json.machineNo}}' };
		await run(params, items.slice(0, 50)); // warm-up: code paths compiled before measuring
		// Part of a finished run (closing sockets, n8n's per-request agents) is freed only a little
		// later or by the next run: so every reading follows a 1-item run, a pause and a full GC.
		const settle = async (): Promise<number> => {
			await run(params, items.slice(0, 1));
			await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
			gc.run();
			return process.memoryUsage().heapUsed;
		};

		const perByte: number[] = [];
		const peaks: number[] = [];
		let outputBytes = 0;
		for (let r = 0; r < REPS; r++) {
			const before = await settle();
			let peak = before;
			const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
			let result: Awaited<ReturnType<typeof run>> | undefined = await run(params, items);
			clearInterval(sampler);
			peak = Math.max(peak, process.memoryUsage().heapUsed);
			if (result.error || result.items.length !== ITEMS) throw new Error(`node run failed: ${result.error?.message ?? result.items.length}`);
			outputBytes = Buffer.byteLength(JSON.stringify(result.items.map((item) => item.json)));
			const held = await settle(); // the finished execution, still referenced
			result = undefined;
			const released = await settle();
			// held − released: what only the finished execution keeps alive. Not held − before: that
			// would also count garbage of earlier rows that happens to be freed during this run.
			perByte.push((held - released) / outputBytes);
			peaks.push((peak - before) / outputBytes);
		}
		const ratio = median(perByte);
		return {
			name: `Memory: Get Order, ${fmt.count(ITEMS)} items in one run`,
			ours: `${fmt.bytes(ratio * outputBytes)} heap held`,
			baseline: `${fmt.bytes(outputBytes)} output JSON`,
			ratio,
			target: `≤ ${TARGET.toFixed(2)}×`,
			pass: ratio <= TARGET,
			notes: [
				`memory: ratio = heap held by the finished execution per output-JSON byte; ${REPS} reps, range ${spread(perByte)}; ` +
					`peak during run ${median(peaks).toFixed(1)}× (info, garbage included); ` +
					(gc.exposed ? 'full GC before every reading' : 'NO GC AVAILABLE: figures include garbage'),
			],
		};
	} finally {
		await client.sb.close();
	}
}
