/**
 * `npm start`'s set-up run twice on different ports, in real n8n 2.41 (scripts/start.ts does the
 * same steps): the first run imports the examples for N8N_PORT / SANDBOX_PORT / PAYMENTS_PORT, the
 * merchant edits two of them, the second run starts on other ports. Afterwards every local URL in
 * every workflow names the current ports (read back through n8n's API), the edits are kept, and
 * triggers saved under their 0.1 type names are moved to the new ones.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	N8nClient,
	WORKFLOW,
	freePort,
	importExamples,
	installPackage,
	n8nInstall,
	n8nUrl,
	packPackage,
	randomToken,
	updateExamples,
	startN8n,
	type N8nSettings,
	type RunningN8n,
} from '../../scripts/n8nLocal';
import type { Json } from '../helpers/sandboxClient';

let userFolder: string;
let n8n: RunningN8n | undefined;
const encryptionKey = randomToken();
const token = randomToken();

/** One `npm start`: import what is missing, start n8n, sign in, repoint; returns the client. */
async function startRun(ports: { n8n: number; sandbox: number; payments: number }, apiKey?: string): Promise<N8nClient> {
	const settings: N8nSettings = { n8n: n8nInstall(2), userFolder, port: ports.n8n, runnersBrokerPort: await freePort(), encryptionKey, logLevel: 'info' };
	const sandboxUrl = n8nUrl(ports.sandbox);
	const paymentsUrl = n8nUrl(ports.payments);
	await importExamples(settings, { n8nPort: ports.n8n, token, sandboxUrl, paymentsUrl }, { onlyMissing: true });
	n8n = await startN8n(settings);
	const client = new N8nClient(n8n.url);
	expect(await client.signIn()).toBe(true);
	if (!apiKey || !(await client.useApiKey(apiKey))) await client.createApiKey();
	expect(await updateExamples(client, { n8n: n8n.url, sandbox: sandboxUrl, payments: paymentsUrl })).toEqual([]);
	await client.touchWorkflow(WORKFLOW.tryIt);
	return client;
}

const LOCAL_URL = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/(webhook|__sandbox|__payments)/g;

describe('npm start on other ports than the run that imported the examples (n8n 2.41)', () => {
	beforeAll(() => {
		userFolder = mkdtempSync(join(tmpdir(), 'dingshang-ports-'));
	});
	afterAll(async () => {
		await n8n?.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	it('every local URL of every example follows the current ports; the merchant\'s edits stay', async () => {
		await installPackage(await packPackage(userFolder, { build: false }), userFolder);
		const first = { n8n: await freePort(), sandbox: 3992, payments: 3993 };
		let client = await startRun(first);
		const apiKey = client.apiKey;

		// The merchant's edits between the runs: a renamed sticky note text and another product.
		const tryIt = await client.api('GET', `/workflows/${WORKFLOW.tryIt}`);
		const note = tryIt.nodes.find((n: Json) => n.type === 'n8n-nodes-base.stickyNote');
		note.parameters.content = `${note.parameters.content}\n\nMY NOTE`;
		const create = tryIt.nodes.find((n: Json) => n.parameters?.operation === 'create');
		create.parameters.products.product[0].productId = '102';
		await client.saveWorkflow(tryIt);
		// Workflows 2 and 6 as 0.1 saved them: the triggers' old type names (still loadable, hidden).
		for (const [id, from, to] of [[WORKFLOW.refund, 'dingShangDeliveryResultTrigger', 'dingShangVendingTrigger'], [WORKFLOW.weChatPay, 'dingShangPaymentNotificationTrigger', 'dingShangPaymentTrigger']]) {
			const workflow = await client.api('GET', `/workflows/${id}`);
			const trigger = workflow.nodes.find((n: Json) => n.type === `n8n-nodes-dingshang.${from}`);
			trigger.type = `n8n-nodes-dingshang.${to}`;
			await client.saveWorkflow(workflow);
		}
		await n8n?.stop();

		const second = { n8n: await freePort(), sandbox: 3930, payments: 3940 };
		client = await startRun(second, apiKey);
		const expected: Record<string, number> = { webhook: second.n8n, __sandbox: second.sandbox, __payments: second.payments };
		const seen = new Set<string>();
		for (const id of Object.values(WORKFLOW)) {
			const workflow = await client.api('GET', `/workflows/${id}`);
			for (const [, port, kind] of JSON.stringify(workflow.nodes).matchAll(LOCAL_URL)) {
				seen.add(`${id} ${kind}`);
				expect(`${workflow.name}: ${kind} on ${port}`).toBe(`${workflow.name}: ${kind} on ${expected[kind]}`);
			}
		}
		// The URLs the issue found stale: refunds of 1 and 2, the payments and fault curls of 6 and 7, 4's Notify URL, 3's note.
		for (const url of [`${WORKFLOW.paid} __sandbox`, `${WORKFLOW.refund} __sandbox`, `${WORKFLOW.pickup} webhook`, `${WORKFLOW.tryIt} webhook`, `${WORKFLOW.tryIt} __sandbox`, `${WORKFLOW.weChatPay} __payments`, `${WORKFLOW.weChatPay} __sandbox`, `${WORKFLOW.alipay} webhook`]) {
			expect(seen).toContain(url);
		}
		// The old trigger types were moved to the new names, their webhook ids and parameters kept.
		for (const id of Object.values(WORKFLOW)) {
			const types = (await client.api('GET', `/workflows/${id}`)).nodes.map((n: Json) => n.type);
			expect(types).not.toContain('n8n-nodes-dingshang.dingShangVendingTrigger');
			expect(types).not.toContain('n8n-nodes-dingshang.dingShangPaymentTrigger');
		}
		expect((await client.api('GET', `/workflows/${WORKFLOW.refund}`)).nodes.map((n: Json) => n.type)).toContain('n8n-nodes-dingshang.dingShangDeliveryResultTrigger');
		expect((await client.api('GET', `/workflows/${WORKFLOW.weChatPay}`)).nodes.map((n: Json) => n.type)).toContain('n8n-nodes-dingshang.dingShangPaymentNotificationTrigger');
		// The editor's list (last updated first, its default): the first click is the first row.
		const listed = await client.rest('GET', '/workflows?sortBy=updatedAt:desc');
		expect((listed as Json[])[0]).toMatchObject({ id: WORKFLOW.tryIt, name: expect.stringMatching(/^DingShang 3 · Try it first/) });
		const kept = await client.api('GET', `/workflows/${WORKFLOW.tryIt}`);
		expect(kept.nodes.find((n: Json) => n.type === 'n8n-nodes-base.stickyNote').parameters.content).toMatch(/MY NOTE$/);
		expect(kept.nodes.find((n: Json) => n.parameters?.operation === 'create').parameters.products.product[0].productId).toBe('102');
	}, 300_000);
});
