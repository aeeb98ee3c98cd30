/**
 * Scenarios 3 and 4 of issue 15: customer-facing latency in ONE real n8n 2.x `n8n start` (this
 * package installed from its `npm pack` tarball, owner + API key set up and the workflows created
 * and activated through the public API, as the e2e does), against an in-process sandbox on
 * 127.0.0.1 at time scale 1 (a dispense takes the docs' 0.5–1 s in real time).
 *
 *   3. Payment to product. Ours: workflow 1's nodes (examples/1: Webhook → Mark order paid →
 *      Dispense, Wait for Result). DIY: Webhook → Code (MD5 + base64 sign) → HTTP Request PUT
 *      order → Code sign → HTTP Request POST delivery. Measured from the payment POST (taken here
 *      right before sending) to the sandbox receiving the dispense command, and to the
 *      execution's `stoppedAt`. Ours' end is also compared with that order's real dispense time.
 *   4. Failure to refund. Ours: workflow 2's nodes (examples/2: Delivery Result trigger → Dispense
 *      failed? → Set status Refund). DIY: Webhook → Code verifying the callback's MD5 sign → IF
 *      failed → Code sign → HTTP Request PUT status Refund. Measured from the callback POST to the
 *      sandbox receiving the refund's PUT. Every callback carries a `sign` (both variants check it);
 *      one in four reports a success, which must refund nothing.
 *
 * The sandbox stamps each API request as it arrives (sandbox `onApiRequest`), in this process,
 * on the same clock as the POST: performance.timeOrigin + performance.now(). Execution ends are
 * n8n's `stoppedAt` (ms), compared with Date.now() taken at the POST. Payments and callbacks go
 * out one every `intervalMs` (default 200 ms) with at most `maxInFlight` (default 3) not yet at
 * their measured request, the variants alternating ABBA so both see the same load; orders are
 * spread over MACHINES, and a payment waits until its machine has finished its previous dispense
 * (a busy machine would fail DIY and make ours wait: neither is the latency asked for). Everything checked afterwards: each order paid and dispensed once, each failure
 * refunded once and each success not at all, one successful execution per POST — else it throws.
 *
 * Alone: `npx ts-node --transpile-only bench/latency.ts` (LATENCY_ORDERS, LATENCY_INTERVAL_MS,
 * LATENCY_MAX_IN_FLIGHT, LATENCY_BUILD=0 to pack the dist/ there is instead of building it,
 * LATENCY_N8N_ENV='{"N8N_EXPRESSION_ENGINE":"legacy"}' for more n8n environment).
 */
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import os from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';

import { API_PREFIX, CALLBACK_METHOD, DELIVERY_METHOD } from '../nodes/shared/dingshang/protocol';
import { signParams } from '../nodes/shared/dingshang/signing';
import type { ApiRequestEvent } from '../sandbox';
import { DISPENSE_MAX_MS } from '../sandbox/constants';
import { maskUrlTokens } from '../nodes/shared/dingshang/secrets';
import { CREDENTIAL_ID, EXAMPLES_DIR, randomToken, sleep, startStack, type N8nClient, type Stack } from '../scripts/local';
import { SandboxClient, type Json } from '../test/helpers/sandboxClient';
import type { Platform } from './jobs';
import { pool } from './measure';

export const DEFAULT_ORDERS = 60;
const DEFAULT_INTERVAL_MS = 200;
const DEFAULT_MAX_IN_FLIGHT = 3;
/** Real time: the docs' 0.5–1 s dispense is what 'end ≤ dispense + 0.25 s' is about. */
export const TIME_SCALE = 1;
/** 10 (not a multiple of 4): with the ABBA order every machine serves both variants. */
const MACHINES = Array.from({ length: 10 }, (_, i) => String(60000001 + i));
const WARM = 4; // per variant and scenario, not measured: registration, JIT, first-run costs
const SUCCESS_EVERY = 4; // scenario 4: every 4th callback of a variant reports a success
const CREDENTIAL_NAME = 'DingShang (sandbox)'; // the stack's credential
const RUN_DEADLINE_MS = 180_000;

export type Variant = 'ours' | 'diy';

export interface Percentiles {
	p50: number;
	p95: number;
	n: number;
}

export interface LatencyResult {
	orders: number;
	intervalMs: number;
	maxInFlight: number;
	machines: number;
	timeScale: number;
	/** 3: payment POST → the sandbox receives the dispense command (ms). Target ours ÷ DIY ≤ 0.8 at p50. */
	payToCommand: { ours: Percentiles; diy: Percentiles; ratio: number; pass: boolean };
	/** 3: payment POST → the execution's stoppedAt (ms); DIY does not wait for the dispense. */
	payToEnd: { ours: Percentiles; diy: Percentiles };
	/** 3: the sandbox's dispense durations of ours' orders (real ms). */
	dispense: Percentiles;
	/** 3: ours' (end − POST) − that order's dispense (ms). Target p50 ≤ 250. */
	endOverDispense: Percentiles & { pass: boolean };
	/** 4: callback POST → the sandbox receives the refund's PUT (ms). Target ours ÷ DIY ≤ 1.0 at p50. */
	failureToRefund: { ours: Percentiles; diy: Percentiles; ratio: number; pass: boolean };
	/** Where the time goes (p50s of n8n's per-node executionTime and the like), for the report. */
	notes: string[];
}

export interface LatencyOptions {
	/** Measured orders per variant in each scenario (the issue asks ≥ 50). */
	orders?: number;
	/** Gap between two POSTs (ms), variants alternating. */
	intervalMs?: number;
	/** At most this many POSTs not yet at their measured request (default 3): a few concurrently. */
	maxInFlight?: number;
	log?: (line: string) => void;
	/** `npm run build` before `npm pack` (default true, like realN8n.ts); false packs the dist/ there is. */
	build?: boolean;
	/** More n8n environment, e.g. {N8N_EXPRESSION_ENGINE: 'legacy'} to compare with n8n's default engine. */
	n8nEnv?: Record<string, string>;
}

// ─── small helpers ──────────────────────────────────────────────────────────────────────────

/** Epoch ms with sub-ms resolution, the clock the sandbox stamps its requests with. */
const now = () => performance.timeOrigin + performance.now();

/** Linear interpolation between the closest ranks (p 0.5 is the usual median). */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const at = (sorted.length - 1) * p;
	const low = Math.floor(at);
	return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

const percentiles = (values: number[]): Percentiles => ({ p50: percentile(values, 0.5), p95: percentile(values, 0.95), n: values.length });
const fmtP = (p: Percentiles) => `p50 ${p.p50.toFixed(0)} ms, p95 ${p.p95.toFixed(0)} ms (n ${p.n})`;

/** ABBA: ours, diy, diy, ours, … so neither variant always goes first. */
const variantAt = (i: number): Variant => ((i >> 1) + i) % 2 === 0 ? 'ours' : 'diy';

// ─── workflows ──────────────────────────────────────────────────────────────────────────────

type WfNode = { name: string; type: string; parameters: Json; credentials?: Json; webhookId?: string; [key: string]: unknown };

/** Some nodes of an example workflow (and the connections between them), with our credential name. */
function fromExample(file: string, names: string[], change: (node: WfNode) => void): { nodes: WfNode[]; connections: Json } {
	const example = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as { nodes: WfNode[]; connections: Record<string, { main: Array<Array<{ node: string }>> }> };
	const nodes = example.nodes.filter((n) => names.includes(n.name));
	if (nodes.length !== names.length) throw new Error(`${file}: expected nodes ${names.join(', ')}`);
	for (const node of nodes) {
		if (node.credentials?.dingShangApi) node.credentials = { dingShangApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
		change(node);
	}
	const connections = Object.fromEntries(
		Object.entries(example.connections)
			.filter(([from]) => names.includes(from))
			.map(([from, c]) => [from, { main: c.main.map((outs) => outs.filter((o) => names.includes(o.node))) }]),
	);
	return { nodes, connections };
}

const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}) => ({ id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra });
const webhookNode = (name: string, path: string) => node(name, 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() });
const codeNode = (name: string, jsCode: string) => node(name, 'n8n-nodes-base.code', 2, { jsCode });
const chain = (nodes: Array<{ name: string }>) => Object.fromEntries(nodes.slice(0, -1).map((n, i) => [n.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }]));

/** The merchant's signing, as realN8n.ts's signCode writes it (Code node, crypto allowed). */
const signHelpers = (key: string) => `const crypto = require('crypto');
const key = ${JSON.stringify(key)};
const timestamp = String(Math.floor(Date.now() / 1000));
const payloadOf = (params) => {
  const text = Object.keys(params).sort().map((k) => k + '=' + params[k]).join('&') + '&key=' + key;
  const sign = crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
  return Buffer.from(JSON.stringify({ ...params, sign })).toString('base64');
};`;

function httpNode(platform: Platform, name: string, method: 'PUT' | 'POST', path: string) {
	return node(name, 'n8n-nodes-base.httpRequest', 4.2, {
		method,
		url: `=${platform.baseUrl}${API_PREFIX}${path}`,
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Appid', value: platform.appId }, { name: 'AppSecret', value: platform.appSecret }] },
		sendBody: true,
		bodyParameters: { parameters: [{ name: 'payload', value: '={{ $json.payload }}' }] },
		options: {},
	});
}

function ifNode(name: string, leftValue: string, rightValue: string) {
	return node(name, 'n8n-nodes-base.if', 2.2, {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
			conditions: [{ id: randomUUID(), leftValue, rightValue, operator: { type: 'string', operation: 'equals' } }],
			combinator: 'and',
		},
		options: {},
	});
}

/** The name of each workflow's first node, whose output names the order. */
const FIRST = { pay: 'Payment notification', refund: 'Delivery result' } as const;

function workflows(platform: Platform, token: string) {
	const suffix = randomToken().slice(0, 8).toLowerCase().replace(/[^a-z0-9]/g, 'x');
	const paths = { payOurs: `latency-pay-ours-${suffix}`, payDiy: `latency-pay-diy-${suffix}`, refundDiy: `latency-refund-diy-${suffix}` };
	const triggerHook = randomUUID();
	const settings = { executionOrder: 'v1' };

	const payOurs = fromExample('1-paid-order-dispense.json', [FIRST.pay, 'Mark order paid', 'Dispense'], (n) => {
		if (n.name === FIRST.pay) Object.assign(n, { webhookId: randomUUID(), parameters: { ...n.parameters, path: paths.payOurs } });
	});
	const refundOurs = fromExample('2-delivery-result-refund.json', [FIRST.refund, 'Dispense failed?', 'Set status Refund'], (n) => {
		if (n.name === FIRST.refund) Object.assign(n, { webhookId: triggerHook, parameters: { ...n.parameters, secretToken: token } });
	});

	const payDiy = [
		webhookNode(FIRST.pay, paths.payDiy),
		codeNode(
			'Sign paid',
			`${signHelpers(platform.signKey)}
return $input.all().map((item, i) => {
  const b = item.json.body;
  const params = { machine_no: String(b.machine_no), status: '1', timestamp };
  return { json: { order_id: b.order_id, payload: payloadOf(params) }, pairedItem: { item: i } };
});`,
		),
		httpNode(platform, 'PUT order (paid)', 'PUT', '/orders/{{ $json.order_id }}'),
		codeNode(
			'Sign dispense',
			`${signHelpers(platform.signKey)}
const paid = $input.all();
return $('${FIRST.pay}').all().map((hook, i) => {
  if (paid[i].json.code !== 0) throw new Error('update order failed: ' + JSON.stringify(paid[i].json));
  const b = hook.json.body;
  const params = { machine_no: String(b.machine_no), method: '${DELIVERY_METHOD}', order_id: String(b.order_id), record_id: String(b.record_id), timestamp };
  return { json: { payload: payloadOf(params) }, pairedItem: { item: i } };
});`,
		),
		httpNode(platform, 'POST delivery', 'POST', '/deliveries'),
	];

	const refundDiy = [
		webhookNode(FIRST.refund, paths.refundDiy),
		// Either canonical form, as our trigger accepts (docs/SIGNING.md): the plain form first (what
		// the sandbox and most vendor libraries sign), then the Go library's form encoding.
		codeNode(
			'Verify sign',
			`const crypto = require('crypto');
const key = ${JSON.stringify(platform.signKey)};
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+');
const md5 = (text) => crypto.createHash('md5').update(text + '&key=' + key, 'utf8').digest('hex').toUpperCase();
return $input.all().map((item, i) => {
  const { sign, ...fields } = item.json.body;
  const keys = Object.keys(fields).filter((k) => fields[k] !== '' && fields[k] !== null && fields[k] !== undefined && fields[k] !== 'NULL').sort();
  const plain = keys.map((k) => k + '=' + String(fields[k])).join('&');
  if (md5(plain) !== sign && md5(keys.map((k) => enc(k) + '=' + enc(String(fields[k]))).join('&')) !== sign) throw new Error('callback sign invalid');
  return { json: { ...fields, machine_no: item.json.query.machine_no }, pairedItem: { item: i } };
});`,
		),
		ifNode('Dispense failed?', '={{ $json.deliver_status }}', '0'),
		codeNode(
			'Sign refund',
			`${signHelpers(platform.signKey)}
return $input.all().map((item, i) => {
  const params = { machine_no: String(item.json.machine_no), status: '2', timestamp };
  return { json: { order_id: item.json.order_id, payload: payloadOf(params) }, pairedItem: { item: i } };
});`,
		),
		httpNode(platform, 'PUT order (refund)', 'PUT', '/orders/{{ $json.order_id }}'),
	];

	// IF's false output stays unconnected.
	const refundDiyConnections = chain(refundDiy);
	refundDiyConnections['Dispense failed?'].main.push([]);

	return {
		defs: {
			payOurs: { name: 'bench latency: payment → dispense (ours)', nodes: payOurs.nodes, connections: payOurs.connections, settings },
			payDiy: { name: 'bench latency: payment → dispense (DIY)', nodes: payDiy, connections: chain(payDiy), settings },
			refundOurs: { name: 'bench latency: failure → refund (ours)', nodes: refundOurs.nodes, connections: refundOurs.connections, settings },
			refundDiy: { name: 'bench latency: failure → refund (DIY)', nodes: refundDiy, connections: refundDiyConnections, settings },
		},
		paths: { payOurs: `/webhook/${paths.payOurs}`, payDiy: `/webhook/${paths.payDiy}`, refundOurs: `/webhook/${triggerHook}/delivery-result`, refundDiy: `/webhook/${paths.refundDiy}` },
	};
}

// ─── what the sandbox saw ───────────────────────────────────────────────────────────────────

interface Seen {
	/** Receipt times (epoch ms) of successful requests about one order. */
	commands: number[];
	paid: number[];
	refunds: number[];
}

class Observer {
	private readonly byOrder = new Map<number, Seen>();

	of(orderId: number): Seen {
		let seen = this.byOrder.get(orderId);
		if (!seen) this.byOrder.set(orderId, (seen = { commands: [], paid: [], refunds: [] }));
		return seen;
	}

	readonly onApiRequest = (e: ApiRequestEvent): void => {
		if (e.code !== 0 || !e.params) return;
		if (e.route === 'POST /deliveries') this.of(Number(e.params.order_id)).commands.push(e.receivedAt);
		else if (e.route === 'PUT /orders/{order_id}') {
			const status = String(e.params.status);
			if (status === '1') this.of(Number(e.param)).paid.push(e.receivedAt);
			if (status === '2') this.of(Number(e.param)).refunds.push(e.receivedAt);
		}
	};
}

// ─── driving ────────────────────────────────────────────────────────────────────────────────

interface Shot {
	variant: Variant;
	orderId: number;
	recordId: number;
	machineNo: string;
	url: string;
	body: string;
	/** Scenario 4: a failure (to be refunded) or a success (refunds nothing). */
	failed: boolean;
	measured: boolean;
	postedAt?: number;
	postedEpoch?: number;
	answered?: boolean;
}

async function send(shot: Shot, retryUnregistered: boolean): Promise<void> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		shot.postedEpoch = Date.now();
		shot.postedAt = now();
		const answer = await fetch(shot.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: shot.body, signal: AbortSignal.timeout(30_000) });
		await answer.arrayBuffer();
		if (answer.status === 200) {
			shot.answered = true;
			return;
		}
		// n8n 2.41 publishes in the background: a webhook answers 404 until it is registered.
		if (answer.status !== 404 || !retryUnregistered || Date.now() > deadline) throw new Error(`POST ${shot.url.replace(/token=[^&]*/, 'token=***')} → HTTP ${answer.status}`);
		await sleep(250);
	}
}

interface Pace {
	intervalMs: number;
	maxInFlight: number;
	/** Whether a shot has got what is measured (its dispense command, its refund): no longer in flight. */
	done: (shot: Shot) => boolean;
	/** Resolves when the shot may go (scenario 3: its machine is free). */
	ready: (shot: Shot) => Promise<void>;
}

/** Waits (bounded) until `test` holds, checking every 5 ms. */
async function until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	let waited = false;
	while (!test()) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		waited = true;
		await sleep(5);
	}
	return waited;
}

/**
 * POSTs `shots` one every `intervalMs`, with at most `maxInFlight` not yet done: an open loop at
 * a rate this box cannot keep up with would measure n8n's queue, not its latency. The schedule
 * restarts from now when a wait or a slow send made it late. Warm-up shots go one by one, each
 * retried while its webhook is not registered yet.
 */
async function fire(shots: Shot[], pace: Pace): Promise<void> {
	for (const shot of shots.filter((s) => !s.measured)) {
		await pace.ready(shot);
		await send(shot, true);
		await until(() => pace.done(shot), `warm-up order ${shot.orderId}`);
	}
	const sends: Array<Promise<void>> = [];
	const errors: unknown[] = [];
	const posted: Shot[] = [];
	const { intervalMs } = pace;
	let next = performance.now();
	for (const shot of shots.filter((s) => s.measured)) {
		const wait = next - performance.now();
		if (wait > 0) await sleep(wait);
		await until(() => posted.filter((p) => !pace.done(p)).length < pace.maxInFlight || errors.length > 0, `order ${shot.orderId}: earlier POSTs still in flight`);
		if (errors.length > 0) break;
		await pace.ready(shot);
		posted.push(shot);
		// Not awaited: the next POST goes out on schedule; a failure is thrown once all are back.
		sends.push(send(shot, false).catch((error: unknown) => void errors.push(error)));
		next += intervalMs;
		if (next < performance.now()) next = performance.now() + intervalMs;
	}
	await Promise.all(sends);
	if (errors.length > 0) throw errors[0];
}

/** Waits until every expected execution of a workflow has finished; returns them with their data. */
async function executionsOf(client: N8nClient, workflowId: string, expected: number): Promise<Json[]> {
	const deadline = Date.now() + RUN_DEADLINE_MS;
	for (;;) {
		const listed = await client.allExecutions(workflowId, false);
		const done = listed.filter((e: Json) => e.status !== 'running' && e.status !== 'new' && e.status !== 'waiting');
		if (done.length >= expected && done.length === listed.length) return await client.allExecutions(workflowId, true);
		if (Date.now() > deadline) throw new Error(`workflow ${workflowId}: ${done.length} of ${expected} executions finished after ${RUN_DEADLINE_MS / 1000} s`);
		await sleep(500);
	}
}

/** One execution per order: order id → the execution (checked: exactly one each, all successful). */
function byOrder(executions: Json[], firstNode: string, orderIdOf: (json: Json) => unknown, shots: Shot[], what: string): Map<number, Json> {
	const map = new Map<number, Json>();
	for (const e of executions) {
		const json = e.data?.resultData?.runData?.[firstNode]?.[0]?.data?.main?.[0]?.[0]?.json;
		const orderId = Number(orderIdOf(json ?? {}));
		if (e.status !== 'success') throw new Error(`${what}: execution ${e.id} (order ${orderId}) ended ${e.status}: ${JSON.stringify(e.data?.resultData?.error ?? {}).slice(0, 400)}`);
		if (map.has(orderId)) throw new Error(`${what}: two executions for order ${orderId}`);
		map.set(orderId, e);
	}
	const missing = shots.filter((s) => !map.has(s.orderId));
	if (missing.length > 0 || map.size !== shots.length) throw new Error(`${what}: ${map.size} executions for ${shots.length} POSTs (missing e.g. order ${missing[0]?.orderId})`);
	return map;
}

/** p50 of each node's executionTime over some executions, e.g. "Mark order paid 41 ms". */
function nodeTimes(executions: Json[]): string {
	const times = new Map<string, number[]>();
	for (const e of executions) {
		for (const [name, runs] of Object.entries(e.data.resultData.runData as Record<string, Array<{ executionTime: number }>>)) {
			times.set(name, [...(times.get(name) ?? []), runs[0].executionTime]);
		}
	}
	return [...times].map(([name, ms]) => `${name} ${percentile(ms, 0.5).toFixed(0)}`).join(', ');
}

/** p50 of (stoppedAt − startedAt) − the nodes' executionTimes: n8n's own time between nodes. */
function betweenNodes(executions: Json[]): string {
	const gaps = executions.map((e) => {
		const runs = Object.values(e.data.resultData.runData as Record<string, Array<{ executionTime: number }>>);
		return Date.parse(e.stoppedAt) - Date.parse(e.startedAt) - runs.reduce((sum, r) => sum + r[0].executionTime, 0);
	});
	return percentile(gaps, 0.5).toFixed(0);
}

// ─── main ───────────────────────────────────────────────────────────────────────────────────

export async function measureLatency(opts: LatencyOptions = {}): Promise<LatencyResult> {
	const orders = Math.max(1, Math.floor(opts.orders ?? DEFAULT_ORDERS));
	const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
	const maxInFlight = Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
	const log = opts.log ?? ((line: string) => console.log(line));
	const observer = new Observer();
	let stack: Stack | undefined;
	try {
		stack = await startStack({
			build: opts.build ?? true,
			sandbox: { timeScale: TIME_SCALE, onApiRequest: observer.onApiRequest },
			payments: false,
			examples: false,
			// crypto: what a merchant must allow for the DIY Code nodes
			env: { NODE_FUNCTION_ALLOW_BUILTIN: 'crypto', ...opts.n8nEnv },
		});
		const { client, n8n } = stack;
		const sandbox = stack.sandbox as NonNullable<Stack['sandbox']>;
		const platform: Platform = { baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret, signKey: sandbox.signKey };
		const sb = new SandboxClient(sandbox);
		for (const m of MACHINES) await sb.addMachine(m, 'motor', 10_000);
		const envNote = opts.n8nEnv && Object.keys(opts.n8nEnv).length > 0 ? ` with ${JSON.stringify(opts.n8nEnv)}` : '';
		log(`latency: n8n ${stack.install.version}${envNote} on ${n8n.url}, sandbox ${sandbox.baseUrl} (time scale ${TIME_SCALE}), ${MACHINES.length} machines, ${orders} orders per variant, one POST every ${intervalMs} ms, at most ${maxInFlight} in flight`);
		const token = randomToken();
		const { defs, paths } = workflows(platform, token);
		const ids = {} as Record<keyof typeof defs, string>;
		for (const key of Object.keys(defs) as Array<keyof typeof defs>) {
			const created = await client.api('POST', '/workflows', defs[key]);
			await client.api('POST', `/workflows/${created.id}/activate`);
			ids[key] = created.id as string;
		}

		// ── 3: payment to product ──
		const payShots: Shot[] = [];
		const payCount = 2 * (WARM + orders);
		const created: Array<{ orderId: number; recordId: number }> = new Array(payCount);
		await pool(payCount, 8, async (i) => {
			const { orderId, recordIds } = await sb.order(MACHINES[i % MACHINES.length]);
			created[i] = { orderId, recordId: recordIds[0] };
		});
		for (let i = 0; i < payCount; i++) {
			const variant = variantAt(i);
			const machineNo = MACHINES[i % MACHINES.length];
			const { orderId, recordId } = created[i];
			// The same body for both: DIY needs the record id (it reads nothing); ours reads the order.
			const body = JSON.stringify({ machine_no: machineNo, order_id: orderId, record_id: recordId });
			payShots.push({ variant, orderId, recordId, machineNo, url: n8n.url + (variant === 'ours' ? paths.payOurs : paths.payDiy), body, failed: false, measured: i >= 2 * WARM });
		}
		// A machine takes the next order only once its previous dispense has surely ended.
		const lastOn = new Map<string, Shot>();
		let machineWaits = 0;
		const machineFree = async (shot: Shot) => {
			const previous = lastOn.get(shot.machineNo);
			lastOn.set(shot.machineNo, shot);
			if (!previous) return;
				const command = () => observer.of(previous.orderId).commands[0];
			const free = () => command() !== undefined && now() >= command() + DISPENSE_MAX_MS * TIME_SCALE + 100;
			if (await until(free, `machine ${shot.machineNo}: the dispense of order ${previous.orderId}`)) machineWaits++;
		};
		const payStarted = Date.now();
		await fire(payShots, { intervalMs, maxInFlight, ready: machineFree, done: (shot) => observer.of(shot.orderId).commands.length > 0 });
		const oursPay = payShots.filter((s) => s.variant === 'ours');
		const diyPay = payShots.filter((s) => s.variant === 'diy');
		const payRuns = {
			ours: byOrder(await executionsOf(client, ids.payOurs, oursPay.length), FIRST.pay, (j) => j.body?.order_id, oursPay, 'payment (ours)'),
			diy: byOrder(await executionsOf(client, ids.payDiy, diyPay.length), FIRST.pay, (j) => j.body?.order_id, diyPay, 'payment (DIY)'),
		};
		log(`latency: scenario 3 posted and finished in ${((Date.now() - payStarted) / 1000).toFixed(1)} s (${machineWaits} payments waited for their machine)`);

		const state = await sb.state();
		const orderById = new Map<number, Json>(state.orders.map((o: Json) => [o.order_id, o]));
		const dispenseMs = new Map<number, number>();
		for (const d of state.deliveries as Json[]) if (d.dispense_ms !== undefined) dispenseMs.set(d.order_id, d.dispense_ms * TIME_SCALE);
		for (const shot of payShots) {
			const order = orderById.get(shot.orderId);
			const seen = observer.of(shot.orderId);
			const record = order?.records?.[0];
			if (order?.status !== 'SUCCESS' || record?.dispense_count !== 1 || record?.status !== 'IS_SUCCESS' || seen.paid.length !== 1 || seen.commands.length !== 1) {
				throw new Error(
					`payment (${shot.variant}) order ${shot.orderId}: ${order?.status}, record ${record?.status} dispensed ${record?.dispense_count}×; ${seen.paid.length} pay PUT(s), ${seen.commands.length} dispense command(s)`,
				);
			}
		}

		const toCommand = (shots: Shot[]) => shots.filter((s) => s.measured).map((s) => observer.of(s.orderId).commands[0] - (s.postedAt as number));
		const toEnd = (shots: Shot[], runs: Map<number, Json>) => shots.filter((s) => s.measured).map((s) => Date.parse(runs.get(s.orderId).stoppedAt) - (s.postedEpoch as number));
		const measuredOurs = oursPay.filter((s) => s.measured);
		const endOursMs = toEnd(oursPay, payRuns.ours);
		const dispenseOurs = measuredOurs.map((s) => dispenseMs.get(s.orderId) as number);
		const overDispense = endOursMs.map((ms, i) => ms - dispenseOurs[i]);
		const payToCommand = { ours: percentiles(toCommand(oursPay)), diy: percentiles(toCommand(diyPay)) };
		const payRatio = payToCommand.ours.p50 / payToCommand.diy.p50;
		const measuredRuns = (shots: Shot[], runs: Map<number, Json>) => shots.filter((s) => s.measured).map((s) => runs.get(s.orderId));
		const startLag = (shots: Shot[], runs: Map<number, Json>) =>
			percentile(shots.filter((s) => s.measured).map((s) => Date.parse(runs.get(s.orderId).startedAt) - (s.postedEpoch as number)), 0.5).toFixed(0);
		// Command → end beyond the dispense: the result polling's lag and n8n saving the run.
		const afterResult = percentile(measuredOurs.map((s, i) => endOursMs[i] - (observer.of(s.orderId).commands[0] - (s.postedAt as number)) - dispenseOurs[i]), 0.5);
		const notes = [
			`3. POST → execution start (startedAt) p50: ours ${startLag(oursPay, payRuns.ours)} ms, DIY ${startLag(diyPay, payRuns.diy)} ms`,
			`3. node executionTime p50 (ms) — ours: ${nodeTimes(measuredRuns(oursPay, payRuns.ours))}; DIY: ${nodeTimes(measuredRuns(diyPay, payRuns.diy))}; n8n between the nodes (run − node times) p50: ours ${betweenNodes(measuredRuns(oursPay, payRuns.ours))} ms, DIY ${betweenNodes(measuredRuns(diyPay, payRuns.diy))} ms`,
			`3. ours: command → end − dispense p50 ${afterResult.toFixed(0)} ms (result polling every 50 ms in the dispense window, then n8n saving the run)`,
		];

		// ── 4: failure to refund ──
		const refundCount = 2 * (WARM + orders + Math.ceil(orders / (SUCCESS_EVERY - 1)));
		const paidOrders: Array<{ orderId: number; recordId: number }> = new Array(refundCount);
		await pool(refundCount, 8, async (i) => {
			const { orderId, recordIds } = await sb.paidOrder(MACHINES[i % MACHINES.length]);
			paidOrders[i] = { orderId, recordId: recordIds[0] };
		});
		const refundShots: Shot[] = [];
		const perVariant = { ours: 0, diy: 0 };
		for (let i = 0; i < refundCount; i++) {
			const variant = variantAt(i);
			const nth = perVariant[variant]++;
			const machineNo = MACHINES[i % MACHINES.length];
			const { orderId, recordId } = paidOrders[i];
			const failed = nth % SUCCESS_EVERY !== SUCCESS_EVERY - 1;
			const fields = failed
				? { deliver_status: '0', error_msg: 'Goods are Stuck', floor_status: '2', method: CALLBACK_METHOD, order_id: orderId, record_id: recordId }
				: { deliver_status: '1', error_msg: '', floor_status: '1', method: CALLBACK_METHOD, order_id: orderId, record_id: recordId };
			const body = JSON.stringify({ ...fields, sign: signParams(fields, platform.signKey) });
			const url = variant === 'ours' ? `${n8n.url}${paths.refundOurs}?token=${encodeURIComponent(token)}&machine_no=${machineNo}` : `${n8n.url}${paths.refundDiy}?machine_no=${machineNo}`;
			refundShots.push({ variant, orderId, recordId, machineNo, url, body, failed, measured: i >= 2 * WARM });
		}
		const refundStarted = Date.now();
		const refunded = (shot: Shot) => (shot.failed ? observer.of(shot.orderId).refunds.length > 0 : shot.answered === true);
		await fire(refundShots, { intervalMs, maxInFlight, ready: async () => undefined, done: refunded });
		const oursRefund = refundShots.filter((s) => s.variant === 'ours');
		const diyRefund = refundShots.filter((s) => s.variant === 'diy');
		const refundRuns = {
			ours: byOrder(await executionsOf(client, ids.refundOurs, oursRefund.length), FIRST.refund, (j) => j.order_id, oursRefund, 'refund (ours)'),
			diy: byOrder(await executionsOf(client, ids.refundDiy, diyRefund.length), FIRST.refund, (j) => j.body?.order_id, diyRefund, 'refund (DIY)'),
		};
		log(`latency: scenario 4 posted and finished in ${((Date.now() - refundStarted) / 1000).toFixed(1)} s`);
		const after = new Map<number, Json>((await sb.state()).orders.map((o: Json) => [o.order_id, o]));
		for (const shot of refundShots) {
			const status = after.get(shot.orderId)?.status;
			const refunds = observer.of(shot.orderId).refunds.length;
			if (shot.failed ? status !== 'REFUND' || refunds !== 1 : status !== 'SUCCESS' || refunds !== 0) {
				throw new Error(`refund (${shot.variant}) order ${shot.orderId}, ${shot.failed ? 'failed' : 'dispensed'}: status ${status}, ${refunds} refund PUT(s)`);
			}
		}
		const toRefund = (shots: Shot[]) => shots.filter((s) => s.measured && s.failed).map((s) => observer.of(s.orderId).refunds[0] - (s.postedAt as number));
		const failureToRefund = { ours: percentiles(toRefund(oursRefund)), diy: percentiles(toRefund(diyRefund)) };
		const refundRatio = failureToRefund.ours.p50 / failureToRefund.diy.p50;
		const failedRuns = (shots: Shot[], runs: Map<number, Json>) => shots.filter((s) => s.measured && s.failed).map((s) => runs.get(s.orderId));
		notes.push(
			`4. POST → execution start p50: ours ${startLag(oursRefund.filter((s) => s.failed), refundRuns.ours)} ms, DIY ${startLag(diyRefund.filter((s) => s.failed), refundRuns.diy)} ms`,
			`4. node executionTime p50 (ms) — ours: ${nodeTimes(failedRuns(oursRefund, refundRuns.ours))}; DIY: ${nodeTimes(failedRuns(diyRefund, refundRuns.diy))}; n8n between the nodes p50: ours ${betweenNodes(failedRuns(oursRefund, refundRuns.ours))} ms, DIY ${betweenNodes(failedRuns(diyRefund, refundRuns.diy))} ms`,
			`checked: ${payShots.length} orders paid and dispensed once (${2 * WARM} of them warm-up), ${refundShots.filter((s) => s.failed).length} failures refunded once, ${refundShots.filter((s) => !s.failed).length} successes not refunded; one successful execution per POST`,
		);

		const result: LatencyResult = {
			orders,
			intervalMs,
			maxInFlight,
			machines: MACHINES.length,
			timeScale: TIME_SCALE,
			payToCommand: { ...payToCommand, ratio: payRatio, pass: payRatio <= 0.8 },
			payToEnd: { ours: percentiles(endOursMs), diy: percentiles(toEnd(diyPay, payRuns.diy)) },
			dispense: percentiles(dispenseOurs),
			endOverDispense: { ...percentiles(overDispense), pass: percentile(overDispense, 0.5) <= 250 },
			failureToRefund: { ...failureToRefund, ratio: refundRatio, pass: refundRatio <= 1.0 },
			notes,
		};
		for (const line of report(result)) log(line);
		return result;
	} catch (error) {
		if (stack) log(`latency: n8n's last lines:\n${maskUrlTokens(stack.n8n.recentOutput())}`);
		throw error;
	} finally {
		await stack?.stop();
	}
}

/** The figures as lines: p50/p95 per variant and measure, the ratios and targets. */
export function report(r: LatencyResult): string[] {
	const met = (pass: boolean) => (pass ? 'met' : 'MISSED');
	return [
		`3. payment → dispense command: ours ${fmtP(r.payToCommand.ours)}; DIY ${fmtP(r.payToCommand.diy)}; ours ÷ DIY at p50 ${r.payToCommand.ratio.toFixed(2)}× (target ≤ 0.8: ${met(r.payToCommand.pass)})`,
		`3. payment → workflow end: ours ${fmtP(r.payToEnd.ours)} (waits for the result); DIY ${fmtP(r.payToEnd.diy)} (does not)`,
		`3. ours' dispenses ${fmtP(r.dispense)}; (end − POST) − dispense: ${fmtP(r.endOverDispense)} (target p50 ≤ 250 ms: ${met(r.endOverDispense.pass)})`,
		`4. failure callback → refund PUT: ours ${fmtP(r.failureToRefund.ours)}; DIY ${fmtP(r.failureToRefund.diy)}; ours ÷ DIY at p50 ${r.failureToRefund.ratio.toFixed(2)}× (target ≤ 1.0: ${met(r.failureToRefund.pass)})`,
		...r.notes.map((note) => `  · ${note}`),
	];
}

if (require.main === module) {
	const watchdog = setTimeout(() => {
		console.error('latency: still running after 20 min, stopping');
		process.exit(2);
	}, 20 * 60_000);
	watchdog.unref();
	const cpus = os.cpus();
	console.log(`machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, load ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
	measureLatency({
		orders: Number(process.env.LATENCY_ORDERS ?? DEFAULT_ORDERS),
		intervalMs: Number(process.env.LATENCY_INTERVAL_MS ?? DEFAULT_INTERVAL_MS),
		maxInFlight: Number(process.env.LATENCY_MAX_IN_FLIGHT ?? DEFAULT_MAX_IN_FLIGHT),
		build: process.env.LATENCY_BUILD !== '0',
		n8nEnv: process.env.LATENCY_N8N_ENV ? (JSON.parse(process.env.LATENCY_N8N_ENV) as Record<string, string>) : undefined,
	})
		.then((r) => {
			const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'nan');
			console.log(`latency: pay_to_dispense_vs_diy=${f(r.payToCommand.ratio)} refund_vs_diy=${f(r.failureToRefund.ratio)} end_over_dispense_p50_ms=${r.endOverDispense.p50.toFixed(0)}`);
		})
		.catch((error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		});
}
