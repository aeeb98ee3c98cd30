/**
 * Scenario 6: the Delivery Result trigger against n8n's own Webhook node, in ONE real n8n 2.x
 * with this package installed from its tarball (startStack in scripts/local, as `npm start` does).
 * Active workflows, each only its trigger, default execution saving: ours, n8n's Webhook node,
 * and (diagnostic) ours with deduplication off. autocannon (from npm,
 * loopback) sends the same number of callbacks to each, every body unique (a repeated result
 * would be deduplicated by our trigger and start nothing), rounds interleaved. The figure is
 * executions finished per second: callbacks answered ÷ (last execution's stop − load start),
 * read from n8n's own execution list once every execution has finished.
 */
import autocannon from 'autocannon';
import { randomUUID } from 'crypto';

import { CALLBACK_METHOD } from '../nodes/shared/dingshang/protocol';
import { CREDENTIAL_ID, N8nClient, PACKAGE, randomToken, sleep, startStack } from '../scripts/local';
import { onBenchPlatform } from './realN8n';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 600);
const WARM_CALLBACKS = 100;
const CONNECTIONS = 8;

export interface TriggerRound {
	ours: number;
	webhook: number;
	/** Diagnostic: our trigger with deduplication off (Dedupe Window 0): what remembering results costs. */
	oursNoDedupe: number;
	/** Diagnostic: n8n's Webhook node with one expression in its options (n8n then takes an expression isolate per request, as for our trigger). */
	webhookIsolate: number;
	notes: string[];
}

interface Target {
	name: string;
	workflowId: string;
	url: string;
}

let seq = 1_000_000;
/** A dispense-result push, unique per request (order and record ids). */
function callbackBody(): string {
	seq++;
	return JSON.stringify({ deliver_status: '1', error_msg: '', floor_status: '1', method: CALLBACK_METHOD, order_id: seq, record_id: seq });
}

async function load(url: string, amount: number): Promise<{ ok: number; non2xx: number; errors: number; rps: number }> {
	const result = await autocannon({
		url,
		method: 'POST',
		connections: CONNECTIONS,
		amount,
		timeout: 30,
		headers: { 'content-type': 'application/json' },
		requests: [{ method: 'POST', setupRequest: (req: Record<string, unknown>) => ({ ...req, body: callbackBody() }) }],
	});
	return { ok: result['2xx'], non2xx: result.non2xx, errors: result.errors + result.timeouts, rps: result.requests.average };
}

/** Successful executions of a workflow and the newest stop time (n8n's internal list, one call). */
async function finished(client: N8nClient, workflowId: string): Promise<{ count: number; lastStop: number; running: number }> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await client.rest('GET', `/executions?filter=${filter}&limit=50`);
	const results = (page.results ?? []) as Array<{ status: string; stoppedAt?: string }>;
	const stops = results.map((e) => (e.stoppedAt ? Date.parse(e.stoppedAt) : 0));
	return {
		count: page.count as number,
		lastStop: Math.max(0, ...stops),
		running: results.filter((e) => e.status === 'running' || e.status === 'new').length,
	};
}

async function measure(client: N8nClient, target: Target, amount: number): Promise<{ perSecond: number; note: string }> {
	const before = (await finished(client, target.workflowId)).count;
	const t0 = Date.now();
	const sent = await load(target.url, amount);
	if (sent.ok !== amount) throw new Error(`${target.name}: ${sent.ok} of ${amount} callbacks answered 2xx (${sent.non2xx} other, ${sent.errors} errors)`);
	const deadline = Date.now() + 120_000;
	for (;;) {
		const now = await finished(client, target.workflowId);
		if (now.count - before >= amount && now.running === 0) {
			const seconds = (Math.max(now.lastStop, t0) - t0) / 1000;
			return { perSecond: amount / seconds, note: `${target.name}: ${amount} callbacks answered at ${sent.rps.toFixed(0)}/s, all executed after ${seconds.toFixed(2)} s` };
		}
		if (Date.now() > deadline) throw new Error(`${target.name}: only ${now.count - before} of ${amount} executions after 120 s`);
		await sleep(200);
	}
}

/** A workflow of one trigger node (its webhook id `hook`), created through the public API. */
const oneNodeWorkflow = (name: string, hook: string, node: object) => ({
	name,
	settings: { executionOrder: 'v1' },
	connections: {},
	nodes: [{ id: randomUUID(), typeVersion: 1, position: [0, 0], webhookId: hook, ...node }],
});

function ourTrigger(token: string, name: string, parameters: object) {
	const hook = randomUUID();
	const node = {
		name: 'Delivery result',
		type: `${PACKAGE.name}.dingShangDeliveryResultTrigger`,
		parameters: { secretToken: token, ...parameters },
		credentials: { dingShangApi: { id: CREDENTIAL_ID, name: 'DingShang (bench)' } },
	};
	return { body: oneNodeWorkflow(name, hook, node), path: `/webhook/${hook}/delivery-result?token=${encodeURIComponent(token)}` };
}

/** n8n's Webhook node; `options` with an expression make n8n take an expression isolate in the webhook phase, as it does for every other trigger node. */
function webhookNode(name: string, options: object) {
	const hook = randomUUID();
	const node = { name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { httpMethod: 'POST', path: hook, options } };
	return { body: oneNodeWorkflow(name, hook, node), path: `/webhook/${hook}` };
}

function workflows(token: string) {
	return {
		ours: ourTrigger(token, 'bench: DingShang Delivery Result trigger', {}),
		oursNoDedupe: ourTrigger(token, 'bench: DingShang Delivery Result trigger, no dedupe', { dedupeWindowMinutes: 0 }),
		webhook: webhookNode('bench: n8n Webhook node', {}),
		webhookIsolate: webhookNode('bench: n8n Webhook node with one expression', { ipWhitelist: '={{ "" }}' }),
	};
}

/**
 * n8n 2.41 publishes (activates) workflows in the background: wait until the webhook answers as
 * registered. Our trigger refuses a token-less POST with 401 once registered (404 before); the
 * Webhook node gets one real callback, whose execution is waited for before anything is measured.
 */
async function waitRegistered(client: N8nClient, target: Target): Promise<void> {
	const deadline = Date.now() + 60_000;
	const ours = target.name.startsWith('ours');
	for (;;) {
		const body = ours ? '{}' : callbackBody();
		const url = ours ? target.url.replace(/\?.*$/, '') : target.url;
		const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		if (answer.status !== 404) break;
		if (Date.now() > deadline) throw new Error(`${target.name}: webhook still not registered after 60 s`);
		await sleep(250);
	}
	if (ours) return;
	for (;;) {
		const now = await finished(client, target.workflowId);
		if (now.count >= 1 && now.running === 0) return;
		if (Date.now() > deadline) throw new Error(`${target.name}: the registration probe's execution did not finish`);
		await sleep(200);
	}
}

export async function measureTriggers(rounds: number, log: (line: string) => void, platform: { baseUrl: string; appId: string; appSecret: string; signKey: string }): Promise<TriggerRound[]> {
	// Activating the trigger proves its credential against the platform: the bench's sandbox.
	const stack = await startStack(onBenchPlatform(platform));
	try {
		const { client, n8n } = stack;
		const token = randomToken();
		const defs = workflows(token);
		const targets: Target[] = [];
		for (const [name, def] of Object.entries(defs)) {
			const created = await client.api('POST', '/workflows', def.body);
			await client.api('POST', `/workflows/${created.id}/activate`);
			targets.push({ name, workflowId: created.id as string, url: n8n.url + def.path });
		}
		for (const target of targets) await waitRegistered(client, target);
		for (const target of targets) await measure(client, target, WARM_CALLBACKS); // JIT, DB, first-run costs

		const results: TriggerRound[] = [];
		for (let round = 0; round < rounds; round++) {
			const order = targets.map((_, i) => targets[(i + round) % targets.length]);
			const figures: Record<string, number> = {};
			const notes: string[] = [];
			for (const target of order) {
				const { perSecond, note } = await measure(client, target, CALLBACKS);
				figures[target.name] = perSecond;
				notes.push(note);
			}
			log(`round ${round + 1} trigger: ours ${figures.ours.toFixed(0)}/s, ours without dedupe ${figures.oursNoDedupe.toFixed(0)}/s, Webhook node ${figures.webhook.toFixed(0)}/s, Webhook node with one expression ${figures.webhookIsolate.toFixed(0)}/s`);
			results.push({ ours: figures.ours, webhook: figures.webhook, oursNoDedupe: figures.oursNoDedupe, webhookIsolate: figures.webhookIsolate, notes: [`trigger load: autocannon, ${CONNECTIONS} connections, ${CALLBACKS} unique callbacks per run; ${notes.join('; ')}`] });
		}
		return results;
	} finally {
		await stack.stop();
	}
}
