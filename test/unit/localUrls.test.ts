import { loadExamples } from '../../scripts/local';
import { RENAMED_TYPES, renameNodeTypes } from '../../scripts/local/renamedTypes';
import { repointText, repointWorkflow, type LocalUrls } from '../../scripts/local/localUrls';

/** How the examples' local URLs follow the current ports (the real-n8n run: test/e2e/ports.e2e.test.ts). */

const FIRST: LocalUrls = { n8n: 'http://127.0.0.1:5678', sandbox: 'http://127.0.0.1:3992', payments: 'http://127.0.0.1:3993' };
const NOW: LocalUrls = { n8n: 'http://127.0.0.1:5710', sandbox: 'http://127.0.0.1:3930', payments: 'http://127.0.0.1:3940' };
const LOCAL_URL = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/(webhook|__sandbox|__payments)/g;

/** Every local URL in a workflow's nodes, as [port, kind]. */
function localUrls(workflow: unknown): Array<[string, string]> {
	return [...JSON.stringify((workflow as { nodes: unknown }).nodes).matchAll(LOCAL_URL)].map((m) => [m[1], m[2]]);
}
const portOf = (url: string | undefined) => new URL(String(url)).port;
const expectedPort = { webhook: portOf(NOW.n8n), __sandbox: portOf(NOW.sandbox), __payments: portOf(NOW.payments) } as Record<string, string>;

describe('repointing the local URLs of the examples', () => {
	it('every local URL of every example (nodes and sticky notes) names the current ports afterwards', () => {
		const examples = loadExamples({ n8nPort: 5678, token: 't0k3n', sandboxUrl: FIRST.sandbox, paymentsUrl: FIRST.payments });
		const kinds = new Set<string>();
		for (const workflow of examples) {
			const before = JSON.stringify(workflow);
			const changed = repointWorkflow(workflow as never, NOW);
			const urls = localUrls(workflow);
			expect(changed).toBe(urls.length > 0);
			for (const [port, kind] of urls) {
				kinds.add(kind);
				expect(`${workflow.name}: ${kind} on ${port}`).toBe(`${workflow.name}: ${kind} on ${expectedPort[kind]}`);
			}
			// Nothing else moved: putting the old ports back gives the workflow as imported.
			repointWorkflow(workflow as never, FIRST);
			expect(JSON.stringify(workflow)).toBe(before);
		}
		expect([...kinds].sort()).toEqual(['__payments', '__sandbox', 'webhook']);
	});

	it('leaves other URLs alone and keeps paths, queries and tokens', () => {
		const text = [
			'curl -s http://127.0.0.1:3992/__sandbox/faults -d x',
			'http://localhost:5678/webhook/abc/delivery-result?token=T&machine_no=1',
			'http://127.0.0.1:5678/webhook-test/xyz',
			'https://docs.awish.vip/x',
			'http://192.168.1.5:3900/__sandbox/faults',
			'http://127.0.0.1:8080/my/own/service',
			'http://127.0.0.1:3993/__payments/pay',
		].join('\n');
		expect(repointText(text, NOW).split('\n')).toEqual([
			'curl -s http://127.0.0.1:3930/__sandbox/faults -d x',
			'http://127.0.0.1:5710/webhook/abc/delivery-result?token=T&machine_no=1',
			'http://127.0.0.1:5710/webhook-test/xyz',
			'https://docs.awish.vip/x',
			'http://192.168.1.5:3900/__sandbox/faults',
			'http://127.0.0.1:8080/my/own/service',
			'http://127.0.0.1:3940/__payments/pay',
		]);
		// Without a sandbox (the real platform), sandbox URLs stay as they are; webhooks still follow n8n.
		expect(repointText('http://127.0.0.1:3992/__sandbox/refunds http://127.0.0.1:1/webhook/a', { n8n: NOW.n8n })).toBe('http://127.0.0.1:3992/__sandbox/refunds http://127.0.0.1:5710/webhook/a');
	});

	it('moves the refund stand-in of workflows imported before from /__sandbox/refunds to the payment sandbox', () => {
		const before = '"url": "http://127.0.0.1:3992/__sandbox/refunds" · curl -s http://localhost:3992/__sandbox/faults';
		expect(repointText(before, NOW)).toBe('"url": "http://127.0.0.1:3940/__payments/refunds" · curl -s http://127.0.0.1:3930/__sandbox/faults');
		// The examples themselves name only the new place.
		const examples = JSON.stringify(loadExamples({ n8nPort: 5678, token: 't0k3n' }));
		expect(examples).not.toContain('/__sandbox/refunds');
		expect(examples.match(/http:\/\/127\.0\.0\.1:3910\/__payments\/refunds/g)).toHaveLength(3);
	});
});

describe('renamed node types (0.1 → 0.2)', () => {
	it('moves the two old trigger types to their new names, and nothing else', () => {
		const workflow = {
			nodes: [
				{ type: 'n8n-nodes-dingshang.dingShangVendingTrigger', webhookId: 'w1', parameters: { secretToken: 't' } },
				{ type: 'n8n-nodes-dingshang.dingShangPaymentTrigger', webhookId: 'w2' },
				{ type: 'n8n-nodes-dingshang.dingShangVending' },
				{ type: 'n8n-nodes-base.stickyNote' },
			],
		};
		expect(renameNodeTypes(workflow)).toBe(true);
		expect(workflow.nodes).toEqual([
			{ type: 'n8n-nodes-dingshang.dingShangDeliveryResultTrigger', webhookId: 'w1', parameters: { secretToken: 't' } },
			{ type: 'n8n-nodes-dingshang.dingShangPaymentNotificationTrigger', webhookId: 'w2' },
			{ type: 'n8n-nodes-dingshang.dingShangVending' },
			{ type: 'n8n-nodes-base.stickyNote' },
		]);
		expect(renameNodeTypes(workflow)).toBe(false);
	});

	it('names only types the package really has', () => {
		const nodes = (require('../../package.json') as { n8n: { nodes: string[] } }).n8n.nodes.map((path) => path.split('/').pop());
		for (const [from, to] of Object.entries(RENAMED_TYPES)) {
			for (const type of [from, to]) expect(nodes).toContain(`${type.split('.')[1].replace(/^./, (c) => c.toUpperCase())}.node.js`);
		}
	});
});
