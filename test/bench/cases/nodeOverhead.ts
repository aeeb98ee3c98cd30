/**
 * Row 2 — node overhead per request. Get Order for 50 items on one machine, run by n8n-core's
 * WorkflowExecute (`runNode`: parameter resolution, credentials, n8n's HTTP helper, our
 * validation, transport and output), against the same 50 signed `POST /orders/{id}` requests
 * sent one after another with plain axios (our node also sends one machine's items in order).
 * Both talk to the same in-process sandbox; the figure is ms per item of one whole run.
 *
 * Judged baseline: axios with a new connection per request, because that is what n8n's request
 * helper does for every node (n8n-core builds a fresh `http.Agent`, keep-alive off, per request),
 * so the ratio isolates what the engine and our node add. The ratio against a keep-alive axios
 * (Node's default agent) is printed as well, for information.
 */
import axios from 'axios';
import http from 'http';

import { API_PREFIX } from '../../../nodes/shared/protocol';
import { encodePayload } from '../../../nodes/shared/signing';
import { vendingRunner } from '../../helpers/vending';
import { openSandbox, type SandboxClient } from '../../helpers/sandboxClient';
import { median, spread, timeMs, type Row } from '../measure';

const ITEMS = 50;
const MACHINE = '10000001';
const REPS = 7;
const TARGET = 3;

/** The 50 requests without n8n: sign, POST, check the envelope. */
function directRunner(client: SandboxClient, orderIds: number[], keepAlive: boolean) {
	const raw = axios.create({
		baseURL: client.sb.baseUrl,
		headers: { Appid: client.sb.appId, AppSecret: client.sb.appSecret },
		httpAgent: new http.Agent({ keepAlive }),
	});
	return async (): Promise<void> => {
		for (const orderId of orderIds) {
			const payload = encodePayload({ machine_no: MACHINE }, client.sb.signKey);
			const answer = await raw.post(`${API_PREFIX}/orders/${orderId}`, { payload });
			if (answer.data?.code !== 0) throw new Error(`raw Get Order failed: ${JSON.stringify(answer.data)}`);
		}
	};
}

export async function nodeOverheadRow(): Promise<Row> {
	const client = await openSandbox({ timeScale: 1 });
	try {
		const orderIds: number[] = [];
		for (let i = 0; i < ITEMS; i++) orderIds.push((await client.order(MACHINE)).orderId);
		const run = vendingRunner(client);
		const items = orderIds.map((orderId) => ({ orderId }));
		const params = { resource: 'order', operation: 'get', orderId: '={{$json.orderId}}', machineNo: MACHINE };
		const viaNode = async (): Promise<void> => {
			const result = await run(params, items);
			if (result.error || result.items.length !== ITEMS) throw new Error(`node run failed: ${result.error?.message ?? result.items.length}`);
		};
		const fresh = directRunner(client, orderIds, false);
		const kept = directRunner(client, orderIds, true);

		await viaNode(); // warm-up: first engine run, JIT
		await fresh();
		await kept();
		const nodeMs: number[] = [];
		const freshMs: number[] = [];
		const keptMs: number[] = [];
		for (let r = 0; r < REPS; r++) {
			// Rotate the order so drift on a shared box does not always favour one side.
			const steps: Array<[() => Promise<void>, number[]]> = [
				[viaNode, nodeMs],
				[fresh, freshMs],
				[kept, keptMs],
			];
			for (let s = 0; s < steps.length; s++) {
				const [work, into] = steps[(s + r) % steps.length];
				into.push((await timeMs(work)) / ITEMS);
			}
		}
		const ratios = nodeMs.map((ms, r) => ms / freshMs[r]);
		const keptRatios = nodeMs.map((ms, r) => ms / keptMs[r]);
		const ratio = median(ratios);
		return {
			name: `Node overhead: Get Order, ${ITEMS} items via engine`,
			ours: `${median(nodeMs).toFixed(2)} ms/item`,
			baseline: `${median(freshMs).toFixed(2)} ms/item`,
			ratio,
			target: `≤ ${TARGET.toFixed(2)}×`,
			pass: ratio <= TARGET,
			notes: [
				`node overhead: baseline = same signed requests with axios, new connection each (as n8n's helper); ` +
					`${REPS} reps, ratio range ${spread(ratios)}; vs keep-alive axios (${median(keptMs).toFixed(2)} ms/item): ${median(keptRatios).toFixed(2)}× (info)`,
			],
		};
	} finally {
		await client.sb.close();
	}
}
