/**
 * Row 1 — signing. `encodePayload` (generic: flattening, byte-order sort, Go-style form encoding,
 * sorted JSON) on the payload of a put-delivery command, against a hand-inlined encoder that knows
 * the four keys in advance (one template string for the MD5 input, one for the JSON). Both get
 * the same fixed timestamp, and the bench first checks they produce the same bytes.
 */
import { createHash } from 'crypto';
import { performance } from 'perf_hooks';

import { DELIVERY_METHOD } from '../../../nodes/shared/protocol';
import { encodePayload } from '../../../nodes/shared/signing';
import { fmt, median, spread, type Row } from '../measure';

const KEY = 'bench-sign-key';
const TIMESTAMP = '1714128358';
const BATCH = 20_000; // one sample ≈ 50–150 ms
const SAMPLES = 7;
const TARGET = 0.3;

const params = (i: number) => ({
	machine_no: '10000001',
	method: DELIVERY_METHOD,
	order_id: String(1000 + (i % 500)),
	record_id: String(5000 + (i % 500)),
});

function ours(i: number): string {
	return encodePayload(params(i), KEY, { timestamp: TIMESTAMP });
}

/** No generality: keys already sorted, values known to need no escaping. */
function inlined(i: number): string {
	const p = params(i);
	const sign = createHash('md5')
		.update(`machine_no=${p.machine_no}&method=${p.method}&order_id=${p.order_id}&record_id=${p.record_id}&timestamp=${TIMESTAMP}&key=${KEY}`)
		.digest('hex')
		.toUpperCase();
	const json = `{"machine_no":"${p.machine_no}","method":"${p.method}","order_id":"${p.order_id}","record_id":"${p.record_id}","sign":"${sign}","timestamp":"${TIMESTAMP}"}`;
	return Buffer.from(json, 'utf8').toString('base64');
}

function opsPerSecond(encode: (i: number) => string): number {
	let sink = 0;
	const start = performance.now();
	for (let i = 0; i < BATCH; i++) sink += encode(i).length;
	const ms = performance.now() - start;
	if (sink === 0) throw new Error('unreachable: keeps the loop from being optimised away');
	return (BATCH / ms) * 1000;
}

export async function signingRow(): Promise<Row> {
	const same = ours(7) === inlined(7);
	opsPerSecond(ours); // warm-up (JIT) for both
	opsPerSecond(inlined);
	const oursOps: number[] = [];
	const baseOps: number[] = [];
	const ratios: number[] = [];
	for (let s = 0; s < SAMPLES; s++) {
		// Alternate which goes first so a slow moment of the box hits both sides alike.
		let a: number;
		let b: number;
		if (s % 2 === 0) {
			a = opsPerSecond(ours);
			b = opsPerSecond(inlined);
		} else {
			b = opsPerSecond(inlined);
			a = opsPerSecond(ours);
		}
		oursOps.push(a);
		baseOps.push(b);
		ratios.push(a / b);
	}
	const ratio = median(ratios);
	return {
		name: 'Signing: encodePayload (put delivery)',
		ours: `${fmt.count(median(oursOps))} ops/s`,
		baseline: `${fmt.count(median(baseOps))} ops/s`,
		ratio,
		target: `≥ ${TARGET.toFixed(2)}×`,
		pass: same && ratio >= TARGET,
		notes: [
			`signing: baseline = hand-inlined sorted join + md5 + JSON + base64; same bytes as ours: ${same ? 'yes' : 'NO (row fails)'}; ` +
				`${SAMPLES} samples × ${fmt.count(BATCH)} ops, ratio range ${spread(ratios)}`,
		],
	};
}
