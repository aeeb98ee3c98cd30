import { currentNodeTypes, goneTypes, loadExamples } from '../../scripts/local/examples';
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

describe('example workflows whose node types no longer exist', () => {
	it('knows every node type of the three packages (and the AI-tool variants), from their manifests', () => {
		const types = currentNodeTypes();
		for (const type of ['n8n-nodes-dingshang.dingShangVending', 'n8n-nodes-dingshang.dingShangVendingTool', 'n8n-nodes-dingshang.dingShangUnfinishedPaymentsTrigger', 'n8n-nodes-wechatpay.weChatPay', 'n8n-nodes-wechatpay.weChatPayNotificationTrigger', 'n8n-nodes-alipay.alipay', 'n8n-nodes-alipay.alipayNotificationTrigger']) {
			expect(types).toContain(type);
		}
		expect(types).not.toContain('n8n-nodes-dingshang.dingShangPayment');
	});

	it('finds the gone types of ours in a stored workflow, never n8n\'s own or another package\'s', () => {
		const workflow = {
			id: 'dsExampleWxPay01',
			nodes: [
				{ type: 'n8n-nodes-dingshang.dingShangPaymentNotificationTrigger' },
				{ type: 'n8n-nodes-dingshang.dingShangPayment' },
				{ type: 'n8n-nodes-dingshang.dingShangVending' },
				{ type: 'n8n-nodes-wechatpay.weChatPay' },
				{ type: 'n8n-nodes-base.stickyNote' },
				{ type: 'n8n-nodes-other.somethingGone' },
			],
		};
		expect(goneTypes(workflow)).toEqual(['n8n-nodes-dingshang.dingShangPaymentNotificationTrigger', 'n8n-nodes-dingshang.dingShangPayment']);
	});

	it('finds none in the examples as they are now', () => {
		for (const workflow of loadExamples({ n8nPort: 5678, token: 't0k3n' })) expect([workflow.name, goneTypes(workflow as never)]).toEqual([workflow.name, []]);
	});
});
