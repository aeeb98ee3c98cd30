import '../helpers/n8n/env';

import type { INodeParameters } from 'n8n-workflow';

import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { DingShangVending } from '../../nodes/DingShangVending/DingShangVending.node';
import { runNode } from '../helpers/n8n/engine';
import { SandboxClient, openSandbox, type Json } from '../helpers/sandboxClient';
import { apiRequestCount } from '../helpers/vending';

/**
 * The node run the way n8n runs its AI-agent tool variant (type name ending in "Tool", docs/reference.md ›
 * AI agents), through n8n-core's engine against the sandbox. The real agent: test/e2e/aiAgent.e2e.test.ts.
 */

let client: SandboxClient;
beforeAll(async () => (client = await openSandbox()));
afterAll(async () => client.sb.close());

/** What n8n's convertNodeToAiTool keeps that matters here: the description's name ends in "Tool" ('@tool' options). */
function toolVariant(): DingShangVending {
	const node = new DingShangVending();
	node.description = { ...node.description, name: 'dingShangVendingTool' };
	return node;
}

function runTool(parameters: Record<string, unknown>) {
	return runNode({
		nodeTypes: { dingShangVendingTool: toolVariant() },
		credentialTypes: { dingShangApi: new DingShangApi() },
		credentials: { dingShangApi: { baseUrl: client.sb.baseUrl, appId: client.sb.appId, appSecret: client.sb.appSecret, signingKey: client.sb.signKey } },
		type: 'dingShangVendingTool',
		parameters: parameters as INodeParameters,
		items: [{}],
	});
}
const json = (result: { items: Array<{ json: Json }> }) => result.items.map((item) => item.json);

describe('as an AI-agent tool', () => {
	it.each([
		['Dispense', { resource: 'delivery', operation: 'put', dispense: 'allPending' }, /may not dispense products/],
		['Test Dispense', { resource: 'delivery', operation: 'test', channelName: 'A1' }, /may not test-dispense a channel/],
		['Update Order', { resource: 'order', operation: 'update', status: 1 }, /may not change an order status/],
		['Consume', { resource: 'pickupCode', operation: 'consume', code: '123456', productId: '101' }, /may not consume a pickup code/],
	])('%s is refused while the switch is off: one item saying so, no request', async (_name, parameters, refusal) => {
		const { orderId } = await client.paidOrder('10000001');
		const before = await apiRequestCount(client);
		const result = await runTool({ machineNo: '10000001', orderId: String(orderId), ...parameters });
		expect(result.error).toBeUndefined();
		expect(json(result)).toEqual([{ error: expect.stringMatching(refusal), explanation: expect.stringContaining('switch the tool on') }]);
		expect(await apiRequestCount(client)).toBe(before);
	});

	it('Dispense runs once the merchant switched it on; its outcomes come on one output', async () => {
		const { orderId } = await client.paidOrder('10000001', [{ product_id: 101, quantity: 1 }, { product_id: 102, quantity: 1 }]);
		await client.fault({ kind: 'deliveryFail', machineNo: '10000001' });
		const result = await runTool({ resource: 'delivery', operation: 'put', machineNo: '10000001', orderId: String(orderId), dispense: 'allPending', waitForResult: true, routeByOutcome: true, allowGoodsAndMoney: true });
		expect(result.error).toBeUndefined();
		expect(json(result).map((item) => item.outcome).sort()).toEqual(["dispensed", "failed"]);
	});

	it('the switch and the simplification exist only on the tool variant: the plain node ignores both', async () => {
		const plain = new DingShangVending();
		const names = (node: DingShangVending) => node.description.properties.filter((p) => p.displayOptions?.show?.['@tool']).map((p) => p.name);
		expect(names(plain).sort()).toEqual(['allowGoodsAndMoney', 'simplifyForAgent']);
	});

	it('lists are simplified (no nested objects) unless switched off; reads need no switch', async () => {
		const simple = json(await runTool({ resource: 'channel', operation: 'getAll', machineNo: '10000001', returnAll: true }));
		expect(simple.map((c) => c.channel_name)).toEqual(['A1', 'A2', 'A3']);
		for (const row of simple) for (const value of Object.values(row)) expect(value === null || typeof value !== 'object').toBe(true);
		const full = json(await runTool({ resource: 'channel', operation: 'getAll', machineNo: '10000001', returnAll: true, simplifyForAgent: false }));
		expect(full[0].good).toEqual(expect.objectContaining({ name: expect.any(String) }));
	});

	it('a platform failure is an item with the code and the explanation, not an error that ends the agent', async () => {
		const result = await runTool({ resource: 'machine', operation: 'get', machineNo: '10000009' });
		expect(result.error).toBeUndefined();
		expect(json(result)).toEqual([{ error: expect.stringContaining('30002'), explanation: expect.stringMatching(/offline/i) }]);
	});
});
