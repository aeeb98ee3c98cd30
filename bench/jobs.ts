/**
 * The workflows and loops that worker.ts measures. Every job checks its own result (all answers
 * `code 0`, as many outputs as inputs) and throws otherwise: a fast wrong run is not a result.
 */
import http from 'http';

import { DingShangApi } from '../credentials/DingShangApi.credentials';
import { DingShangVending } from '../nodes/DingShangVending/DingShangVending.node';
import { REQUEST_LANES } from '../nodes/shared/common/items';
import { API_PREFIX } from '../nodes/shared/dingshang/protocol';
import { encodePayload } from '../nodes/shared/dingshang/signing';
import { runChain, type ChainNode, type RunChainResult } from '../test/helpers/n8n/engine';

export interface Platform {
	baseUrl: string;
	appId: string;
	appSecret: string;
	signKey: string;
}

export interface OrderRef {
	order_id: number;
	machine_no: string;
}

export interface RecordRef {
	machineNo: string;
	orderId: number;
	recordId: number;
}

export type Job =
	| { kind: 'update-node' | 'update-diy'; platform: Platform; orders: OrderRef[]; warmUp: OrderRef[] }
	/** `lanes` (default REQUEST_LANES) and `keepAlive` (default true) vary only in the diagnostics. */
	| { kind: 'update-raw'; platform: Platform; orders: OrderRef[]; warmUp: OrderRef[]; lanes?: number; keepAlive?: boolean }
	| { kind: 'dispense' | 'dispense-serial'; platform: Platform; records: RecordRef[] };

export interface Prepared {
	warmUp: () => Promise<void>;
	/** The measured work; returns figures to report besides time and memory. */
	measured: () => Promise<Record<string, number>>;
	close: () => Promise<void>;
}

/**
 * n8n-nodes-base's own nodes for the DIY peer, as in an n8n install — loaded only for that job.
 * With the engine on n8n-core 2.x they are not installed beside it (n8n 2.x runs the Code node
 * only in its task runner): the bench then skips the DIY job and says so.
 */
const CODE_NODE = 'n8n-nodes-base/dist/nodes/Code/Code.node';

const nodeTypes = (diy: boolean) => {
	const types: Record<string, unknown> = { dingShangVending: new DingShangVending() };
	if (diy) {
		const { Code } = require(CODE_NODE) as { Code: new () => never };
		const { HttpRequest } = require('n8n-nodes-base/dist/nodes/HttpRequest/HttpRequest.node') as { HttpRequest: new () => never };
		types['n8n-nodes-base.code'] = new Code();
		types['n8n-nodes-base.httpRequest'] = new HttpRequest();
	}
	return types as Record<string, DingShangVending>;
};

function chainRunner(platform: Platform, chain: ChainNode[]) {
	const credentials = {
		dingShangApi: { baseUrl: platform.baseUrl, appId: platform.appId, appSecret: platform.appSecret, signingKey: platform.signKey },
	};
	return (items: object[]): Promise<RunChainResult> =>
		runChain({ nodeTypes: nodeTypes(chain.some((n) => n.type.startsWith('n8n-nodes-base.'))), credentialTypes: { dingShangApi: new DingShangApi() }, credentials, chain, items: items as never, mode: 'trigger' });
}

/** Output items of the chain's last node; throws on any node error or a count mismatch. */
function lastOutput(result: RunChainResult, chain: ChainNode[], expected: number) {
	for (const { name } of chain) {
		const error = result.nodes[name].error;
		if (error) throw new Error(`${name}: ${error.message} ${JSON.stringify(error.description ?? '')}`);
	}
	const items = result.nodes[chain[chain.length - 1].name].outputs[0] ?? [];
	if (items.length !== expected) throw new Error(`expected ${expected} output items, got ${items.length}`);
	return items;
}

// ─── Update Order: our node ─────────────────────────────────────────────────────────────────

export const OUR_UPDATE: ChainNode[] = [
	{
		name: 'DingShang Vending',
		type: 'dingShangVending',
		credentials: ['dingShangApi'],
		parameters: { resource: 'order', operation: 'update', orderId: '={{ $json.order_id }}', machineNo: '={{ $json.machine_no }}', status: 1 },
	},
];

// ─── Update Order: what a merchant builds without us ────────────────────────────────────────

/** Code node (default mode "Run Once for All Items"); needs NODE_FUNCTION_ALLOW_BUILTIN=crypto. */
export const diySignCode = (signKey: string): string => `const crypto = require('crypto');
const key = ${JSON.stringify(signKey)};
const timestamp = String(Math.floor(Date.now() / 1000));
return $input.all().map((item, i) => {
  const params = { machine_no: item.json.machine_no, status: '1', timestamp };
  const text = Object.keys(params).sort().map((k) => k + '=' + params[k]).join('&') + '&key=' + key;
  const sign = crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
  const payload = Buffer.from(JSON.stringify({ ...params, sign })).toString('base64');
  return { json: { order_id: item.json.order_id, payload }, pairedItem: { item: i } };
});`;

export const diyUpdate = (platform: Platform): ChainNode[] => [
	{ name: 'Sign (Code)', type: 'n8n-nodes-base.code', parameters: { jsCode: diySignCode(platform.signKey) } },
	{
		name: 'Send (HTTP Request)',
		type: 'n8n-nodes-base.httpRequest',
		parameters: {
			method: 'PUT',
			url: `=${platform.baseUrl}${API_PREFIX}/orders/{{ $json.order_id }}`,
			authentication: 'none',
			sendHeaders: true,
			specifyHeaders: 'keypair',
			headerParameters: { parameters: [{ name: 'Appid', value: platform.appId }, { name: 'AppSecret', value: platform.appSecret }] },
			sendBody: true,
			contentType: 'json',
			specifyBody: 'keypair',
			bodyParameters: { parameters: [{ name: 'payload', value: '={{ $json.payload }}' }] },
			options: {},
		},
	},
];

// ─── Update Order: raw keep-alive loop ──────────────────────────────────────────────────────

function rawUpdater(platform: Platform, lanes: number, keepAlive: boolean) {
	const url = new URL(platform.baseUrl);
	const agent = new http.Agent({ keepAlive, maxSockets: lanes });
	const send = (order: OrderRef): Promise<void> =>
		new Promise((resolve, reject) => {
			const body = JSON.stringify({ payload: encodePayload({ machine_no: order.machine_no, status: '1' }, platform.signKey) });
			const req = http.request(
				{
					agent,
					host: url.hostname,
					port: url.port,
					method: 'PUT',
					path: `${API_PREFIX}/orders/${order.order_id}`,
					headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), Appid: platform.appId, AppSecret: platform.appSecret },
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => {
						const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: number };
						if (answer.code === 0) resolve();
						else reject(new Error(`raw update of order ${order.order_id}: ${JSON.stringify(answer)}`));
					});
				},
			);
			req.on('error', reject);
			req.end(body);
		});
	const runAll = async (orders: OrderRef[]): Promise<void> => {
		let next = 0;
		const lane = async (): Promise<void> => {
			while (next < orders.length) await send(orders[next++]);
		};
		await Promise.all(Array.from({ length: lanes }, lane));
	};
	return { runAll, close: () => agent.destroy() };
}

// ─── Put Delivery ───────────────────────────────────────────────────────────────────────────

export const OUR_DISPENSE: ChainNode[] = [
	{
		name: 'DingShang Vending',
		type: 'dingShangVending',
		credentials: ['dingShangApi'],
		parameters: {
			resource: 'delivery',
			operation: 'put',
			machineNo: '={{ $json.machineNo }}',
			orderId: '={{ $json.orderId }}',
			dispense: 'record',
			recordId: '={{ $json.recordId }}',
			waitForResult: true,
		},
	},
];

function dispensedCount(items: Array<{ json: Record<string, unknown> }>): number {
	const bad = items.filter((i) => i.json.outcome !== 'dispensed');
	if (bad.length > 0) throw new Error(`not dispensed: ${JSON.stringify(bad[0].json)}`);
	return items.length;
}

// ─── dispatcher ─────────────────────────────────────────────────────────────────────────────

async function prepare(job: Job): Promise<Prepared> {
	const none = async (): Promise<void> => undefined;
	switch (job.kind) {
		case 'update-node':
		case 'update-diy': {
			const chain = job.kind === 'update-node' ? OUR_UPDATE : diyUpdate(job.platform);
			const run = chainRunner(job.platform, chain);
			const check = (result: RunChainResult, n: number) => {
				const items = lastOutput(result, chain, n);
				// Our node throws on a platform error; the DIY pair only passes the answer on: check it.
				const failed = items.filter((i) => job.kind === 'update-diy' && (i.json as { code?: number }).code !== 0);
				if (failed.length > 0) throw new Error(`platform refused: ${JSON.stringify(failed[0].json)}`);
				return items.length;
			};
			return {
				warmUp: async () => void check(await run(job.warmUp), job.warmUp.length),
				measured: async () => ({ items: check(await run(job.orders), job.orders.length) }),
				close: none,
			};
		}
		case 'update-raw': {
			const raw = rawUpdater(job.platform, job.lanes ?? REQUEST_LANES, job.keepAlive ?? true);
			return {
				warmUp: () => raw.runAll(job.warmUp),
				measured: async () => {
					await raw.runAll(job.orders);
					return { items: job.orders.length };
				},
				close: async () => raw.close(),
			};
		}
		case 'dispense':
		case 'dispense-serial': {
			const run = chainRunner(job.platform, OUR_DISPENSE);
			const dispense = async (records: RecordRef[]) => dispensedCount(lastOutput(await run(records), OUR_DISPENSE, records.length));
			return {
				warmUp: none, // each record can be dispensed once only; the engine is warmed by loading
				measured: async () => {
					if (job.kind === 'dispense') return { items: await dispense(job.records) };
					let items = 0;
					for (const record of job.records) items += await dispense([record]);
					return { items };
				},
				close: none,
			};
		}
	}
}

export const runJob = { prepare };
