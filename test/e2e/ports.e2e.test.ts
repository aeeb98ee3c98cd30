/**
 * `npm start`'s set-up run twice on different ports, in real n8n 2.41 (scripts/start.ts does the
 * same steps): the first run imports the examples for N8N_PORT / SANDBOX_PORT / PAYMENTS_PORT, the
 * merchant edits two of them, the second run starts on other ports. Afterwards every local URL in
 * every workflow names the current ports (read back through n8n's API), the edits are kept, and
 * an example saved with node types that no longer exist is replaced by the example as it is now.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKFLOW, freePorts, randomToken, startStack, updateExamples, type N8nClient, type Stack } from '../../scripts/local';
import type { Json } from '../helpers/sandboxClient';

let userFolder: string;
let stack: Stack | undefined;
const encryptionKey = randomToken();
const token = randomToken();

/** One `npm start` on these ports: import what is missing, start, sign in, repoint; returns the client. */
async function startRun(ports: { n8n: number; sandbox: number; payments: number }, apiKey?: string): Promise<N8nClient> {
	stack = await startStack({ userFolder, ports, examples: 'missing', encryptionKey, token, apiKey });
	const { client, n8n, sandbox, payments } = stack;
	expect(stack.apiKey).toEqual(expect.any(String));
	expect(await updateExamples(client, { n8n: n8n.url, sandbox: sandbox?.baseUrl, payments: payments?.baseUrl })).toEqual([]);
	await client.touchWorkflow(WORKFLOW.tryIt);
	return client;
}


const LOCAL_URL = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/(webhook|__sandbox|__payments)/g;

describe('npm start on other ports than the run that imported the examples (n8n 2.41)', () => {
	beforeAll(() => {
		userFolder = mkdtempSync(join(tmpdir(), 'dingshang-ports-'));
	});
	afterAll(async () => {
		await stack?.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	it('every local URL of every example follows the current ports; the merchant\'s edits stay', async () => {
		// Six distinct ports: the second run is on other ports than the first.
		const [n8n1, sandbox1, payments1, n8n2, sandbox2, payments2] = await freePorts(6);
		const first = { n8n: n8n1, sandbox: sandbox1, payments: payments1 };
		let client = await startRun(first);
		const apiKey = client.apiKey;

		// The merchant's edits between the runs: a renamed sticky note text and another product.
		const tryIt = await client.api('GET', `/workflows/${WORKFLOW.tryIt}`);
		const note = tryIt.nodes.find((n: Json) => n.type === 'n8n-nodes-base.stickyNote');
		note.parameters.content = `${note.parameters.content}\n\nMY NOTE`;
		const create = tryIt.nodes.find((n: Json) => n.parameters?.operation === 'create');
		create.parameters.products.product[0].productId = '102';
		await client.saveWorkflow(tryIt);
		// Workflow 6 as the one-package version saved it: node types that no longer exist (now in n8n-nodes-wechatpay).
		const weChatPay = await client.api('GET', `/workflows/${WORKFLOW.weChatPay}`);
		for (const n of weChatPay.nodes as Json[]) {
			if (n.type === 'n8n-nodes-wechatpay.weChatPayNotificationTrigger') n.type = 'n8n-nodes-dingshang.dingShangPaymentNotificationTrigger';
			if (n.type === 'n8n-nodes-wechatpay.weChatPay') n.type = 'n8n-nodes-dingshang.dingShangPayment';
		}
		await stack?.importWorkflows([{ ...weChatPay, active: false }]);
		await stack?.stop();

		const second = { n8n: n8n2, sandbox: sandbox2, payments: payments2 };
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
		// The URLs the issue found stale: refunds of 1 and 2, the payment and sandbox-page links of 6 and 7, 4's Notify URL, 3's note.
		for (const url of [`${WORKFLOW.paid} __payments`, `${WORKFLOW.refund} __payments`, `${WORKFLOW.pickup} webhook`, `${WORKFLOW.tryIt} webhook`, `${WORKFLOW.tryIt} __sandbox`, `${WORKFLOW.weChatPay} __payments`, `${WORKFLOW.weChatPay} __sandbox`, `${WORKFLOW.alipay} webhook`]) {
			expect(seen).toContain(url);
		}
		// The example whose node types no longer exist was replaced by the example as it is now.
		const types = (await client.api('GET', `/workflows/${WORKFLOW.weChatPay}`)).nodes.map((n: Json) => n.type);
		expect(types).toEqual(expect.arrayContaining(['n8n-nodes-wechatpay.weChatPayNotificationTrigger', 'n8n-nodes-wechatpay.weChatPay']));
		expect(types.filter((type: string) => type.startsWith('n8n-nodes-dingshang.dingShangPayment'))).toEqual([]);
		// The editor's list (last updated first, its default): the first click is the first row.
		const listed = await client.rest('GET', '/workflows?sortBy=updatedAt:desc');
		expect((listed as Json[])[0]).toMatchObject({ id: WORKFLOW.tryIt, name: expect.stringMatching(/^DingShang 3 · Try it first/) });
		const kept = await client.api('GET', `/workflows/${WORKFLOW.tryIt}`);
		expect(kept.nodes.find((n: Json) => n.type === 'n8n-nodes-base.stickyNote').parameters.content).toMatch(/MY NOTE$/);
		expect(kept.nodes.find((n: Json) => n.parameters?.operation === 'create').parameters.products.product[0].productId).toBe('102');
	}, 300_000);
});
