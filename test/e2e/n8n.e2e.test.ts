/**
 * Inside real n8n — 2.41.x on Node 24, then 1.123.x on this machine's Node (N8N_E2E picks: "2", "1"
 * or "2,1", the default) — `n8n start` + `n8n execute`, with this package installed from its
 * `npm pack` tarball into a temp user folder the way n8n installs community packages, against
 * the sandbox: the example workflows, the Delivery Result trigger and the credential test.
 * One n8n for the whole file (scripts/local startStack, shared with `npm start`); afterAll stops
 * every process (and the guard of each child kills it if this worker dies first).
 * `npm test` builds dist/ before jest runs; running this file alone needs `npm run build` first.
 */
import { randomUUID } from 'node:crypto';
import { ALIPAY, CREDENTIAL_ID, HttpError, N8nClient, PACKAGE, WECHAT_PAY, TRIGGER_WEBHOOK_ID, WORKFLOW, e2eMajors, randomToken, sleep, startStack, type N8nMajor, type Stack } from '../../scripts/local';
import { authChoiceField, panelDescriptions } from '../helpers/nodePanel';
import { nodeOutput } from '../helpers/runData';
import { SandboxClient, waitFor, type Json } from '../helpers/sandboxClient';

const MACHINE = '10000002'; // the machine workflow 3 orders from
const SETTLE_MS = 1500; // how long "no new execution" is watched for

let stack: Stack | undefined;
let platform: SandboxClient;
let client: N8nClient;
let token: string;
let triggerUrl: string;
/** `POST /rent/machines` requests before the alerts workflow was activated, and the ones tests made themselves. */
let alertsActivated = 0;
let machineListsByTests = 0;

// ─── helpers ────────────────────────────────────────────────────────────────────────────────

/** `n8n execute` of workflow 3 ("Try it"); returns the run data of the finished execution. */
async function executeTryIt(): Promise<Json> {
	const run = await stack!.execute(WORKFLOW.tryIt, 90_000);
	expect(run.data.resultData.error).toBeUndefined();
	return run.data.resultData.runData;
}

/** Finished executions of workflow 2 whose trigger item is about `orderId`. */
async function refundRuns(orderId: number): Promise<Json[]> {
	const executions = await client.executions(WORKFLOW.refund);
	return executions.filter(
		(e) => e.status !== 'running' && e.status !== 'new' && nodeOutput(e.data?.resultData?.runData, 'Delivery result')[0]?.order_id === orderId,
	);
}

async function refundExecutionCount(): Promise<number> {
	return (await client.executions(WORKFLOW.refund)).length;
}

/** Waits until the sandbox's pushes for `orderId` were all answered. */
async function callbacksAnswered(orderId: number, count: number): Promise<Json[]> {
	return await waitFor(async () => {
		const { callbacks } = await platform.state();
		const mine = callbacks.filter((c: Json) => c.body.order_id === orderId);
		return mine.length >= count && mine.every((c: Json) => c.answers.length > 0) ? mine : undefined;
	}, 20_000, 100);
}

/** The payment sandbox's plain refund API (the examples' refund step): its refunds of one order. */
async function refundsOf(orderId: number): Promise<Json[]> {
	return stack!.payments!.plainRefunds().filter((r) => r.order_id === orderId);
}

async function sandboxOrder(orderId: number): Promise<Json> {
	const { orders } = await platform.state();
	return orders.find((o: Json) => o.order_id === orderId);
}

async function postCallback(url: string, body: Json): Promise<{ status: number; json: Json }> {
	const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: answer.status, json: await answer.json().catch(() => undefined) };
}

/** POSTs `body` to a Webhook-started workflow and returns the run data of the execution it started (which must succeed). */
async function runWebhookWorkflow(workflowId: string, path: string, body: Json): Promise<Json> {
	const before = (await client.executions(workflowId)).length;
	const answer = await fetch(`${stack?.n8n.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	expect(answer.status).toBe(200);
	const [run] = await waitFor(async () => {
		const executions = (await client.executions(workflowId)).filter((e) => e.status !== 'running' && e.status !== 'new');
		return executions.length > before ? executions : undefined;
	}, 30_000, 200);
	expect(run.status).toBe('success');
	return run.data.resultData.runData;
}

async function setUp(major: N8nMajor): Promise<void> {
	stack = await startStack({ major, sandbox: { timeScale: 0.05 }, activate: [WORKFLOW.refund, WORKFLOW.paid, WORKFLOW.pickup] });
	({ client, token } = stack);
	platform = new SandboxClient(stack.sandbox!);
	// The alerts trigger polls every minute from now on, while the other tests run.
	alertsActivated = (await platform.state()).requests['POST /rent/machines'] ?? 0;
	await client.activateWorkflow(WORKFLOW.alerts);
	triggerUrl = `${stack.n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/delivery-result`;
}

async function tearDown(): Promise<void> {
	await stack?.stop();
	stack = undefined;
}

// ─── tests ──────────────────────────────────────────────────────────────────────────────────

describe.each(e2eMajors())('in real n8n %s.x', (major) => {
	beforeAll(async () => await setUp(major), 300_000);
	afterAll(async () => await tearDown(), 60_000);

	it('runs the pinned n8n of this major', () => {
		expect(stack?.install.version).toMatch(major === 2 ? /^2\.41\./ : /^1\.123\./);
	});

	it('n8n loads the three packages side by side, each node and credential under its package name, icons included', async () => {
		const nodes = JSON.parse((await client.get('/types/nodes.json')).body) as Json[];
		const packages = [PACKAGE.name, WECHAT_PAY, ALIPAY];
		const ours = nodes.filter((type) => packages.some((name) => type.name.startsWith(`${name}.`)));
		// usableAsTool: n8n adds the AI-agent tool variant of each action node itself.
		expect(ours.map((type) => type.name).sort()).toEqual(
			[
				...['dingShangDeliveryResultTrigger', 'dingShangUnfinishedPaymentsTrigger', 'dingShangVending', 'dingShangVendingAlertsTrigger', 'dingShangVendingTool'].map((name) => `${PACKAGE.name}.${name}`),
				...['weChatPay', 'weChatPayTool', 'weChatPayNotificationTrigger'].map((name) => `${WECHAT_PAY}.${name}`),
				...['alipay', 'alipayTool', 'alipayNotificationTrigger'].map((name) => `${ALIPAY}.${name}`),
			].sort(),
		);
		expect(ours.filter((type) => type.hidden)).toEqual([]);
		// The panel as the editor builds it from these types: each node with its own description.
		const shown = panelDescriptions(ours.filter((type) => !type.name.endsWith('Tool')));
		expect(Object.keys(shown)).toHaveLength(8);
		for (const [name, description] of Object.entries(shown)) {
			expect(`${name}: ${description}`).toMatch(name.endsWith('Trigger') ? /: Starts the workflow when/ : /: (?!Starts the workflow)/);
		}
		for (const type of ours) expect([type.name, authChoiceField(type)]).toEqual([type.name, undefined]);
		for (const type of ours) {
			// Light and dark variants, each served by n8n from its own package.
			const pkg = packages.find((name) => type.name.startsWith(`${name}.`));
			expect(type.iconUrl).toEqual({ light: expect.stringContaining(`icons/${pkg}/`), dark: expect.stringMatching(/(dingshang|wechatpay|alipay)\.dark\.svg$/) });
			for (const url of [type.iconUrl.light, type.iconUrl.dark]) {
				expect(await client.get(`/${url}`)).toMatchObject({ status: 200, contentType: expect.stringContaining('svg') });
			}
		}
		// Each package's nodes name only that package's credentials (DingShang's recovery trigger: also n8n's own API).
		const own: Record<string, string[]> = { [PACKAGE.name]: ['dingShangApi', 'dingShangN8nApi'], [WECHAT_PAY]: ['weChatPayApi'], [ALIPAY]: ['alipayApi'] };
		for (const type of ours) {
			const pkg = packages.find((name) => type.name.startsWith(`${name}.`)) as string;
			for (const credential of (type.credentials ?? []) as Json[]) expect([type.name, own[pkg]]).toEqual([type.name, expect.arrayContaining([credential.name])]);
		}
		// No "Custom API Call" (it could not sign): the credential has no generic `authenticate`.
		const action = ours.find((type) => type.name === `${PACKAGE.name}.dingShangVending`);
		const options = (action.properties as Json[]).filter((p) => ['resource', 'operation'].includes(p.name)).flatMap((p) => p.options ?? []);
		expect(options.map((o: Json) => o.value)).toEqual(expect.arrayContaining(['order', 'delivery', 'put', 'update', 'pickupCode', 'consume', 'test', 'machine', 'product', 'channel', 'category', 'getAll']));
		expect(options.map((o: Json) => o.value)).not.toContain('__CUSTOM_API_CALL__');
		const credentials = JSON.parse((await client.get('/types/credentials.json')).body) as Json[];
		expect(credentials.map((type) => type.name)).toEqual(expect.arrayContaining(['dingShangApi', 'weChatPayApi', 'alipayApi']));
	});

	describe('credential test through the REST API (the "Test" button)', () => {
		async function testCredential(change: Record<string, string>): Promise<Json> {
			// What the editor sends: the saved credential as it shows it (secrets redacted), plus edits.
			const saved = await client.rest('GET', `/credentials/${CREDENTIAL_ID}?includeData=true`);
			expect(JSON.stringify(saved.data)).not.toContain(stack?.sandbox?.appSecret);
			return await client.rest('POST', '/credentials/test', {
				credentials: { id: saved.id, name: saved.name, type: saved.type, data: { ...saved.data, ...change } },
			});
		}

		it('succeeds against the sandbox with the saved credential', async () => {
			expect(await testCredential({})).toEqual(expect.objectContaining({ status: 'OK' }));
		});

		it("fails with the platform's code 4006 for a wrong Signing Key (the test signs a request), without showing it", async () => {
			const result = await testCredential({ signingKey: 'not-the-signing-key' });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/DingShang error 4006: .*Signing Key/);
			expect(JSON.stringify(result)).not.toContain('not-the-signing-key');
		});

		it("fails with the platform's code for a wrong App Secret", async () => {
			const result = await testCredential({ appSecret: 'not-the-app-secret' });
			expect(result.status).toBe('Error');
			expect(result.message).toContain('4009');
		});
	});

	describe('activating the Delivery Result trigger checks its credential against the platform', () => {
		async function triggerWorkflowWith(credential: { id: string; name: string }, type = 'dingShangDeliveryResultTrigger'): Promise<string> {
			const created = await client.api('POST', '/workflows', {
				name: `Trigger with ${credential.name}`,
				nodes: [
					{
						id: 'a1b2c3d4-0000-4000-8000-000000000001',
						name: 'Delivery result',
						type: `${PACKAGE.name}.${type}`,
						typeVersion: 1,
						position: [0, 0],
						webhookId: randomUUID(),
						parameters: { authentication: 'urlToken', secretToken: randomToken() },
						credentials: { dingShangApi: credential },
					},
				],
				connections: {},
				settings: { executionOrder: 'v1' },
			});
			return created.id as string;
		}

		// n8n 1.x activates inside the API call and answers with the error; 2.41 publishes through an
		// outbox (retrying a few times), so there the refusal is what n8n logs for the workflow.
		async function activationRefusal(id: string): Promise<string | undefined> {
			const answer = await client.api('POST', `/workflows/${id}/activate`).then(
				() => undefined,
				(error: unknown) => (error instanceof HttpError ? JSON.stringify(error.body) : String(error)),
			);
			if (answer) return answer;
			return await waitFor(async () => stack?.n8n.recentOutput().split('\n').find((line) => line.includes('when activating this trigger')), 30_000, 250).catch(() => undefined);
		}

		const probes = async () => ((await platform.state()).requests['POST /orders/{order_id}'] ?? 0) as number;

		it('a wrong Signing Key fails activation with the platform code 4006, and the key is not shown', async () => {
			const wrong = await client.rest('POST', '/credentials', {
				name: 'DingShang (wrong signing key)',
				type: 'dingShangApi',
				data: { baseUrl: stack?.sandbox?.baseUrl, appId: stack?.sandbox?.appId, appSecret: stack?.sandbox?.appSecret, signingKey: 'not-the-signing-key' },
			});
			const before = await probes();
			const refusal = await activationRefusal(await triggerWorkflowWith({ id: wrong.id, name: wrong.name }));
			expect(refusal).toContain('4006');
			expect(refusal).toMatch(/sign invalid|Signing Key/); // the platform's message (2.x log) or our explanation (1.x)
			expect(refusal).not.toContain('not-the-signing-key');
			expect(stack?.n8n.recentOutput()).not.toContain('not-the-signing-key');
			expect(await probes()).toBeGreaterThan(before);
		});

		it('the right credential activates the trigger after one harmless signed read', async () => {
			const before = await probes();
			const id = await triggerWorkflowWith({ id: CREDENTIAL_ID, name: 'DingShang (sandbox)' });
			await client.api('POST', `/workflows/${id}/activate`);
			await waitFor(async () => ((await probes()) > before ? true : undefined), 30_000, 250);
			await sleep(SETTLE_MS);
			expect(await probes()).toBe(before + 1);
			expect(await client.rest('GET', `/active-workflows/error/${id}`).catch(() => undefined)).toBeFalsy();
			expect((await client.api('GET', `/workflows/${id}`)).active).toBe(true);
			await client.api('POST', `/workflows/${id}/deactivate`);
		});
	});

	describe('workflow 3 (Try it) with `n8n execute`, and workflow 2 (Delivery Result trigger) with `n8n start`', () => {
		let successOrder: number;
		let successCallback: Json;

		it('creates, pays and dispenses each record exactly once; the success callback starts one execution', async () => {
			const before = await refundExecutionCount();
			const runData = await executeTryIt();

			const [created] = nodeOutput(runData, 'Create order');
			successOrder = created.order_id;
			expect(created.notify_url).toBe(`${triggerUrl}?token=***&machine_no=${MACHINE}`); // the trigger's token is masked in outputs
			expect(JSON.stringify(runData)).not.toContain(token);
			expect(nodeOutput(runData, 'Mark order paid')).toEqual([expect.objectContaining({ order_id: successOrder, order_status: 'SUCCESS', updated: true })]);

			const order = await sandboxOrder(successOrder);
			expect(order.status).toBe('SUCCESS');
			expect(order.records.length).toBeGreaterThan(0);
			for (const record of order.records) expect(record).toMatchObject({ dispense_count: 1, status: 'IS_SUCCESS' });

			const dispensed = nodeOutput(runData, 'Dispense');
			expect(dispensed.map((item) => item.record_id).sort()).toEqual(order.records.map((r: Json) => r.record_id).sort());
			for (const item of dispensed) {
				expect(item).toMatchObject({ machine_no: MACHINE, order_id: successOrder, outcome: 'dispensed' });
				expect(item.delivery_id).toMatch(/^\d{16}$/);
			}

			const callbacks = await callbacksAnswered(successOrder, order.records.length);
			expect(callbacks.map((c) => c.answers.map((a: Json) => a.status))).toEqual(order.records.map(() => [200]));
			successCallback = callbacks[0].body;

			const runs = await waitFor(async () => {
				const found = await refundRuns(successOrder);
				return found.length >= order.records.length ? found : undefined;
			}, 20_000, 200);
			await sleep(SETTLE_MS);
			expect(await refundRuns(successOrder)).toHaveLength(order.records.length);
			expect(await refundExecutionCount()).toBe(before + order.records.length);

			const run = runs[0];
			expect(run.status).toBe('success');
			const [item] = nodeOutput(run.data.resultData.runData, 'Delivery result');
			expect(item).toMatchObject({
				event: 'delivery.succeeded',
				outcome: 'dispensed',
				machine_no: MACHINE,
				order_id: successOrder,
				record_id: order.records[0].record_id,
				success: true,
				deliver_status: '1',
				floor_status: '1',
				channelStatus: expect.any(String),
				error_msg: '',
				reason: null,
				receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			});
			expect(item.raw).toEqual(successCallback);
			// The success path stops at the IF: no refund.
			expect(nodeOutput(run.data.resultData.runData, 'Dispense failed?', 0)).toHaveLength(0);
			expect(run.data.resultData.runData['Set status Refund']).toBeUndefined();
			expect((await sandboxOrder(successOrder)).status).toBe('SUCCESS');
			expect(await refundsOf(successOrder)).toEqual([]);
		});

		it('an injected failure (stuck product), pushed twice at once, starts one execution that refunds the order and explains why', async () => {
			await platform.fault({ kind: 'deliveryFail', machineNo: MACHINE, floorStatus: '2', errorMsg: 'Goods are Stuck' });
			await platform.fault({ kind: 'callbackDuplicate' }); // the same push sent twice, simultaneously
			const runData = await executeTryIt();
			// Route by Outcome (on in workflow 3): the failure leaves on "Not Dispensed", visibly.
			expect(nodeOutput(runData, 'Dispense', 0)).toHaveLength(0);
			const [dispensed] = nodeOutput(runData, 'Dispense', 1);
			const orderId = dispensed.order_id as number;
			expect(dispensed).toMatchObject({ machine_no: MACHINE, outcome: 'failed' });
			expect(dispensed.delivery_id).toMatch(/^\d{16}$/);

			const pushes = await callbacksAnswered(orderId, 2);
			expect(pushes.map((c) => c.answers[0].status)).toEqual([200, 200]);
			const [run] = await waitFor(async () => {
				const found = await refundRuns(orderId);
				return found.length > 0 ? found : undefined;
			}, 20_000, 200);
			await sleep(SETTLE_MS);
			expect(await refundRuns(orderId)).toHaveLength(1);
			expect(run.status).toBe('success');

			const data = run.data.resultData.runData;
			const [item] = nodeOutput(data, 'Delivery result');
			expect(item).toMatchObject({
				event: 'delivery.failed',
				outcome: 'failed',
				machine_no: MACHINE,
				order_id: orderId,
				record_id: dispensed.record_id,
				success: false,
				deliver_status: '0',
				floor_status: '2',
				error_msg: 'Goods are Stuck',
			});
			// One vocabulary: the same names and values as Dispense's failed item.
			for (const key of ['machine_no', 'order_id', 'record_id', 'outcome']) expect(item[key]).toEqual(dispensed[key]);
			expect(item.reason).toEqual(expect.any(String));
			expect(item.reasonZh).toEqual(expect.any(String));

			expect(nodeOutput(data, 'Set status Refund')).toEqual([expect.objectContaining({ order_id: orderId, machine_no: MACHINE, status: 2, updated: true })]);
			const [summary] = nodeOutput(data, 'Summary');
			expect(summary).toMatchObject({ machine_no: MACHINE, order_id: orderId, record_id: dispensed.record_id, reason: item.reason, reasonZh: item.reasonZh, statusSetToRefund: true });
			expect(summary.summary).toContain(`Machine ${MACHINE}, order ${orderId}`);
			expect(summary.summary).toContain(item.reason);
			expect(summary.summary).toContain(item.reasonZh);

			const order = await sandboxOrder(orderId);
			expect(order.status).toBe('REFUND');
			expect(order.records[0]).toMatchObject({ dispense_count: 1, status: 'IS_FAILED' });
			// The refund step passed the result's refund_key to the provider (the payment sandbox's plain refund API), once.
			expect(item.refund_key).toBe(`dsr-${orderId}-${dispensed.record_id}`);
			expect(dispensed.refund_key).toBe(item.refund_key);
			expect(await refundsOf(orderId)).toEqual([expect.objectContaining({ refund_key: item.refund_key, attempts: 1 })]);
		});

		it('the same failure re-pushed later (already Refund) stops at "Not refunded yet?": no second refund call', async () => {
			const { orders } = await platform.state();
			const refunded = orders.filter((o: Json) => o.status === 'REFUND').at(-1);
			const failure = (await platform.state()).callbacks.find((c: Json) => c.body.order_id === refunded.order_id).body;
			// A new copy the trigger has not seen (another webhook process, or its memory lost): a different status field.
			const answer = await postCallback(`${triggerUrl}?token=${token}&machine_no=${refunded.machine_no}`, { ...failure, status: 'IS_FAILED' });
			expect(answer.status).toBe(200);
			const run = await waitFor(async () => (await refundRuns(refunded.order_id)).find((e) => nodeOutput(e.data.resultData.runData, 'Delivery result')[0]?.raw?.status === 'IS_FAILED'), 20_000, 200);
			const data = run.data.resultData.runData;
			expect(nodeOutput(data, 'Set status Refund')).toEqual([expect.objectContaining({ order_id: refunded.order_id, changed: false, previous_status: 'REFUND' })]);
			expect(data['Refund payment']).toBeUndefined();
			expect(await refundsOf(refunded.order_id)).toEqual([expect.objectContaining({ attempts: 1 })]);
		});

		it('a forged callback (no token, wrong token) starts no execution', async () => {
			const before = await refundExecutionCount();
			const forged = { ...successCallback, order_id: successOrder, deliver_status: '0', error_msg: 'Goods are Stuck', floor_status: '2' };
			expect((await postCallback(triggerUrl, forged)).status).toBe(401);
			// Its last character changed (a random token may end in "x" itself: 1 run in 64 sent the right one).
			const wrongToken = `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`;
			expect(wrongToken).not.toBe(token);
			expect((await postCallback(`${triggerUrl}?token=${wrongToken}`, forged)).status).toBe(401);
			await sleep(SETTLE_MS);
			expect(await refundExecutionCount()).toBe(before);
			expect((await sandboxOrder(successOrder)).status).toBe('SUCCESS');
		});

		it('a duplicate of an accepted callback starts no execution', async () => {
			const before = await refundExecutionCount();
			const answer = await postCallback(`${triggerUrl}?token=${token}`, successCallback);
			expect(answer).toEqual({ status: 200, json: expect.objectContaining({ received: true, duplicate: true }) });
			await sleep(SETTLE_MS);
			expect(await refundExecutionCount()).toBe(before);
		});
	});

	describe('workflow 1 (payment notification → dispense) with `n8n start`', () => {
		const machine = '10000001';

		const notifyPayment = async (orderId: number) => await runWebhookWorkflow(WORKFLOW.paid, 'dingshang-payment', { machine_no: machine, order_id: orderId });

		it('marks the order paid and dispenses it; nothing is refunded', async () => {
			const { orderId, recordIds } = await platform.order(machine);
			const runData = await notifyPayment(orderId);
			expect(nodeOutput(runData, 'Dispense')).toEqual([expect.objectContaining({ order_id: orderId, record_id: recordIds[0], outcome: 'dispensed' })]);
			expect(nodeOutput(runData, 'Dispense', 1)).toHaveLength(0);
			expect(runData['Set status Refund']).toBeUndefined();
			const order = await sandboxOrder(orderId);
			expect(order.status).toBe('SUCCESS');
			expect(order.records[0]).toMatchObject({ dispense_count: 1, status: 'IS_SUCCESS' });
		});

		it('refunds the order when the dispense fails', async () => {
			const { orderId } = await platform.order(machine);
			await platform.fault({ kind: 'deliveryFail', machineNo: machine, floorStatus: '3', errorMsg: 'Over Current' });
			const runData = await notifyPayment(orderId);
			// The refund branch hangs off the node's "Not Dispensed" output.
			expect(nodeOutput(runData, 'Dispense', 0)).toHaveLength(0);
			expect(nodeOutput(runData, 'Dispense', 1)).toEqual([expect.objectContaining({ order_id: orderId, outcome: 'failed' })]);
			expect(nodeOutput(runData, 'Set status Refund')).toEqual([expect.objectContaining({ order_id: orderId, status: 2, changed: true })]);
			expect((await sandboxOrder(orderId)).status).toBe('REFUND');
			const [failed] = nodeOutput(runData, 'Dispense', 1);
			expect(await refundsOf(orderId)).toEqual([expect.objectContaining({ refund_key: `dsr-${orderId}-${failed.record_id}`, attempts: 1 })]);
		});
	});
	describe('lists in the form: "From list" through n8n\'s REST API (what the editor calls)', () => {
		const search = async (methodName: string, currentNodeParameters: Record<string, unknown>) =>
			await client.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
				methodName,
				path: methodName === 'searchMachines' ? 'machineNo' : methodName === 'searchProducts' ? 'productId' : 'channelName',
				nodeTypeAndVersion: { name: `${PACKAGE.name}.dingShangVending`, version: 1.2 },
				currentNodeParameters,
				credentials: { dingShangApi: { id: CREDENTIAL_ID, name: 'DingShang (sandbox)' } },
			});

		it('machines with their online state, products and channels of the chosen machine', async () => {
			machineListsByTests++;
			const machines = await search('searchMachines', { resource: 'machine', operation: 'get' });
			expect(machines.results).toEqual(expect.arrayContaining([expect.objectContaining({ value: '10000001', name: expect.stringMatching(/online/) })]));
			expect(machines.results.find((m: Json) => m.value === '10000009').name).toMatch(/offline/);
			const chosen = { resource: 'pickupCode', operation: 'getAll', machineNo: { __rl: true, mode: 'list', value: '10000001' } };
			const products = await search('searchProducts', chosen);
			expect(products.results.map((p: Json) => p.value)).toEqual(['101', '102', '103']);
			const channels = await search('searchChannels', { ...chosen, resource: 'delivery', operation: 'test' });
			expect(channels.results.map((c: Json) => c.value)).toEqual(['A1', 'A2', 'A3']);
			expect(channels.results[0].name).toMatch(/Channel normal/);
		});
	});

	describe('workflow 4 (pickup code → dispense) with `n8n start`', () => {
		const machine = '10000001';

		const typeCode = async (code: string) => await runWebhookWorkflow(WORKFLOW.pickup, 'dingshang-pickup', { machine_no: machine, code, product_id: 102 });

		it('a code is consumed and dispensed once; typed again, it dispenses nothing', async () => {
			await platform.signed('POST', '/pickup_codes', { machine_no: machine, method: 'pickup_code.product.id', product_id: '102', count: '1', code_length: '6', timestamp: String(Math.floor(Date.now() / 1000)) });
			const listed = await platform.signed('POST', '/products/102/pickup_code', { machine_no: machine, timestamp: String(Math.floor(Date.now() / 1000)) });
			const code = String(listed.data.data[0].code);

			const first = await typeCode(code);
			const [consumed] = nodeOutput(first, 'Consume code');
			expect(consumed).toMatchObject({ outcome: 'consumed', status: 'PICKUPCODE', machine_no: machine });
			expect(nodeOutput(first, 'Dispense')).toEqual([expect.objectContaining({ order_id: consumed.order_id, outcome: 'dispensed' })]);

			const second = await typeCode(code);
			expect(nodeOutput(second, 'Consume code')).toEqual([expect.objectContaining({ outcome: 'already_consumed', order_id: consumed.order_id })]);
			expect(nodeOutput(second, 'Dispense')).toEqual([expect.objectContaining({ outcome: 'nothing_pending' })]);
			const order = await sandboxOrder(consumed.order_id);
			expect(order.records).toHaveLength(1);
			expect(order.records[0]).toMatchObject({ dispense_count: 1, status: 'IS_SUCCESS' });
		});
	});

	describe('workflow 5 (machine alerts, polling every minute) with `n8n start`', () => {
		const polls = async () => ((await platform.state()).requests['POST /rent/machines'] ?? 0) - alertsActivated - machineListsByTests;

		it('emits exactly the changes the sandbox was put through (offline, fault, low stock), then nothing on an unchanged poll', async () => {
			// Activation polled once (the baseline); one scheduled poll more makes sure it is kept.
			await waitFor(async () => (await polls()) >= 2, 150_000, 1000);
			expect(await client.executions(WORKFLOW.alerts)).toHaveLength(0); // unchanged so far: nothing
			await platform.http.post('/__sandbox/channels', { machine_no: '10000003', channel: 'A2', floor_status: '2' });
			await platform.http.post('/__sandbox/channels', { machine_no: '10000003', channel: 'A1', stock: 2 });
			await platform.http.post('/__sandbox/machines/10000005/online', { online: false });
			const changedAt = await polls();

			const [run] = await waitFor(async () => {
				const executions = (await client.executions(WORKFLOW.alerts)).filter((e) => e.status !== 'running' && e.status !== 'new');
				return executions.length > 0 ? executions : undefined;
			}, 150_000, 1000);
			expect(run.status).toBe('success');
			const items = nodeOutput(run.data.resultData.runData, 'Machine alerts');
			expect(items.map((i) => [i.event, i.machine_no, i.channel_name ?? null]).sort()).toEqual(
				[
					['channel.fault', '10000003', 'A2'],
					['machine.offline', '10000005', null],
					['stock.low', '10000003', 'A1'],
				].sort(),
			);
			const fault = items.find((i) => i.event === 'channel.fault');
			expect(fault).toMatchObject({ channelStatus: 'Product stuck in the channel', channelStatusZh: '商品卡货' });
			expect(nodeOutput(run.data.resultData.runData, 'Message').map((m) => m.text)).toEqual(items.map((i) => `${i.message}\n${i.messageZh}`));

			// The next poll sees the same state: no new execution.
			const seen = await polls();
			expect(seen).toBeGreaterThan(changedAt);
			await waitFor(async () => (await polls()) > seen, 150_000, 1000);
			await sleep(SETTLE_MS);
			expect(await client.executions(WORKFLOW.alerts)).toHaveLength(1);
		}, 480_000);
	});
});
