/**
 * Scenarios 1 and 2 of issue 15 in ONE real n8n 2.x (the package from its `npm pack` tarball, the
 * credential imported, the Code node in n8n's task runner with NODE_FUNCTION_ALLOW_BUILTIN=crypto
 * as a merchant must set it). Generated workflows, each run by `n8n execute --rawOutput` (a fresh
 * process per run, so every variant starts equally cold); the figure is each node's own
 * `executionTime` from the run data. Every workflow starts Manual Trigger → Code (the items,
 * not timed), then:
 *
 *   node  our node (Get Order / Update Order to Paid)                    — time: our node
 *   http  n8n's HTTP Request node (defaults), payload signed in the
 *         untimed Code node                                               — time: HTTP node
 *   diy   Code (MD5 + base64, as a merchant writes it) → HTTP Request     — time: sign + HTTP
 *
 * Get Order × ITEMS over GET_ORDERS orders; Update Order × ITEMS over fresh NOTPAY orders (one
 * per item) that really change to Paid — ours reads each order first (the no-double-refund
 * guarantee), so it sends 2 requests per item where the HTTP node sends 1.
 */
import { randomUUID } from 'crypto';

import { API_PREFIX } from '../nodes/shared/dingshang/protocol';
import { CREDENTIAL_ID, PACKAGE, startCliStack, type N8nSettings, type StackOptions } from '../scripts/local';
import type { OrderRef, Platform } from './jobs';

export const ITEMS = 2000;
export const GET_ORDERS = 500;
export type Variant = 'node' | 'http' | 'diy';
export const VARIANTS: Variant[] = ['node', 'http', 'diy'];
export type Op = 'get' | 'update';

export interface RealRound {
	/** ms per op and variant, from the nodes' own executionTime */
	ms: Record<Op, Record<Variant, number>>;
	/** the sign Code node's share of the DIY time (ms) */
	signMs: Record<Op, number>;
}

// ─── workflows ──────────────────────────────────────────────────────────────────────────────

/** The merchant's signing Code node ("Run Once for All Items"); `src` is where its items come from. */
const signCode = (key: string, op: Op, src: string) => `const crypto = require('crypto');
const key = ${JSON.stringify(key)};
const timestamp = String(Math.floor(Date.now() / 1000));
return ${src}.map((item, i) => {
  const params = { machine_no: item.json.machine_no, ${op === 'update' ? "status: '1', " : ''}timestamp };
  const text = Object.keys(params).sort().map((k) => k + '=' + params[k]).join('&') + '&key=' + key;
  const sign = crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
  const payload = Buffer.from(JSON.stringify({ ...params, sign })).toString('base64');
  return { json: { order_id: item.json.order_id, payload }, pairedItem: { item: i } };
});`;

const itemsLiteral = (orders: OrderRef[]) => `${JSON.stringify(orders)}.map((json) => ({ json }))`;

const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}) => ({ id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra });
const code = (name: string, jsCode: string) => node(name, 'n8n-nodes-base.code', 2, { jsCode });

function httpNode(platform: Platform, op: Op) {
	return node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.5, {
		method: op === 'get' ? 'POST' : 'PUT',
		url: `=${platform.baseUrl}${API_PREFIX}/orders/{{ $json.order_id }}`,
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Appid', value: platform.appId }, { name: 'AppSecret', value: platform.appSecret }] },
		sendBody: true,
		bodyParameters: { parameters: [{ name: 'payload', value: '={{ $json.payload }}' }] },
		options: {},
	});
}

function ourNode(op: Op) {
	const parameters = { resource: 'order', operation: op, orderId: '={{ $json.order_id }}', machineNo: { __rl: true, mode: 'id', value: '={{ $json.machine_no }}' }, ...(op === 'update' ? { status: 1 } : {}) };
	return node('DingShang Vending', `${PACKAGE.name}.dingShangVending`, 1.2, parameters, { credentials: { dingShangApi: { id: CREDENTIAL_ID, name: 'DingShang (bench)' } } });
}

/** The timed nodes of each variant, in workflow order. */
export const TIMED: Record<Variant, string[]> = { node: ['DingShang Vending'], http: ['HTTP Request'], diy: ['Sign (Code)', 'HTTP Request'] };

let wfSeq = 0;
export function workflow(platform: Platform, op: Op, variant: Variant, orders: OrderRef[]) {
	const items = itemsLiteral(orders);
	const first =
		variant === 'http' ? code('Items', signCode(platform.signKey, op, `(${items})`)) : code('Items', `return ${items};`);
	const chain = [node('Start', 'n8n-nodes-base.manualTrigger', 1, {}), first];
	if (variant === 'node') chain.push(ourNode(op));
	if (variant === 'diy') chain.push(code('Sign (Code)', signCode(platform.signKey, op, '$input.all()')));
	if (variant !== 'node') chain.push(httpNode(platform, op));
	const connections = Object.fromEntries(chain.slice(0, -1).map((n, i) => [n.name, { main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]] }]));
	const id = `dsBench${String(++wfSeq).padStart(9, '0')}`;
	return { id, name: `bench: ${op} ${variant}`, versionId: randomUUID(), active: false, nodes: chain, connections, settings: { executionOrder: 'v1' } };
}

// ─── n8n ────────────────────────────────────────────────────────────────────────────────────

export interface RealN8n {
	settings: N8nSettings;
	importWorkflows(workflows: object[]): Promise<void>;
	/** Runs a workflow; returns per-node executionTime (ms) and the last node's output items. */
	execute(id: string, lastNode: string): Promise<{ times: Record<string, number>; output: Array<Record<string, unknown>> }>;
	close(): Promise<void>;
}

/** A stack on the bench's own platform (its sandbox, started by bench.ts): dist/ built now, no examples, no payments. */
export function onBenchPlatform(platform: Platform): StackOptions {
	const credential = { name: 'DingShang (bench)', baseUrl: platform.baseUrl, appId: platform.appId, appSecret: platform.appSecret, signingKey: platform.signKey };
	return { build: true, sandbox: false, payments: false, examples: false, platform: credential };
}

/** n8n 2.x for `n8n execute` runs (no server), the credential pointing at the bench's platform. */
export async function startRealN8n(platform: Platform): Promise<RealN8n> {
	// crypto: what a merchant must allow for the DIY Code nodes
	const stack = await startCliStack({ ...onBenchPlatform(platform), env: { NODE_FUNCTION_ALLOW_BUILTIN: 'crypto' } });
	return {
		settings: stack.settings,
		importWorkflows: stack.importWorkflows,
		async execute(id, lastNode) {
			const run = await stack.execute(id);
			const runData = run.data?.resultData?.runData ?? {};
			if (run.data?.resultData?.error) throw new Error(`${id}: ${JSON.stringify(run.data.resultData.error).slice(0, 600)}`);
			const times = Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, (runs as Array<{ executionTime: number }>)[0].executionTime]));
			const output = (runData[lastNode]?.[0]?.data?.main?.[0] ?? []).map((item: { json: Record<string, unknown> }) => item.json);
			return { times, output };
		},
		close: stack.stop,
	};
}

// ─── rounds ─────────────────────────────────────────────────────────────────────────────────

/** Checks a run's output: ITEMS items, every platform answer `code 0` (the HTTP node passes errors on as data). */
function check(op: Op, variant: Variant, output: Array<Record<string, unknown>>): void {
	if (output.length !== ITEMS) throw new Error(`${op} ${variant}: ${output.length} of ${ITEMS} items`);
	const bad = variant === 'node' ? output.filter((o) => (op === 'update' ? o.changed !== true : o.order_id === undefined)) : output.filter((o) => o.code !== 0);
	if (bad.length > 0) throw new Error(`${op} ${variant}: ${bad.length} bad items, e.g. ${JSON.stringify(bad[0])}`);
}

/**
 * `rounds` interleaved rounds (variant order rotated per round). `newOrders(n)` creates n NOTPAY
 * orders; `paidCount(orders)` counts those the sandbox has as paid (checked after each update run).
 */
export async function measureRealN8n(
	rounds: number,
	log: (line: string) => void,
	platform: Platform,
	newOrders: (count: number) => Promise<OrderRef[]>,
	paidCount: (orders: OrderRef[]) => Promise<number>,
): Promise<RealRound[]> {
	const n8n = await startRealN8n(platform);
	try {
		const pool = await newOrders(GET_ORDERS);
		const getItems = Array.from({ length: ITEMS }, (_, i) => pool[i % GET_ORDERS]);
		const getFlows = Object.fromEntries(VARIANTS.map((v) => [v, workflow(platform, 'get', v, getItems)]));
		await n8n.importWorkflows(Object.values(getFlows));
		const results: RealRound[] = [];
		for (let round = 0; round < rounds; round++) {
			// Fresh NOTPAY orders for each update run, created before any run of the round.
			const updateOrders = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await newOrders(ITEMS)] as const)));
			const updateFlows = Object.fromEntries(VARIANTS.map((v) => [v, workflow(platform, 'update', v, updateOrders[v])]));
			await n8n.importWorkflows(Object.values(updateFlows));
			const ms = { get: {}, update: {} } as RealRound['ms'];
			const signMs = { get: 0, update: 0 };
			const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
			for (const op of ['get', 'update'] as Op[]) {
				for (const variant of order) {
					const flow = (op === 'get' ? getFlows : updateFlows)[variant];
					const timed = TIMED[variant];
					const { times, output } = await n8n.execute(flow.id, timed[timed.length - 1]);
					check(op, variant, output);
					if (op === 'update') {
						const paid = await paidCount(updateOrders[variant]);
						if (paid !== ITEMS) throw new Error(`update ${variant}: ${paid} of ${ITEMS} orders paid in the sandbox`);
					}
					ms[op][variant] = timed.reduce((sum, name) => sum + times[name], 0);
					if (variant === 'diy') signMs[op] = times['Sign (Code)'];
				}
				log(`round ${round + 1} real n8n ${op} ×${ITEMS}: ${order.map((v) => `${v} ${ms[op][v].toFixed(0)} ms`).join(', ')} (DIY sign ${signMs[op].toFixed(0)} ms)`);
			}
			results.push({ ms, signMs });
		}
		return results;
	} finally {
		await n8n.close();
	}
}
