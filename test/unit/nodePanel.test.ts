import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeType } from 'n8n-workflow';

import { authChoiceField, panelDescriptions, triggerActions, type PanelNode } from '../helpers/nodePanel';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };
const sourceOf = (entry: string) => join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

function loadNodes(): PanelNode[] {
	return PACKAGE.n8n.nodes.map((entry) => {
		const exported = require(sourceOf(entry)) as Record<string, new () => INodeType>;
		const [NodeClass] = Object.values(exported);
		return new NodeClass().description as unknown as PanelNode;
	});
}

describe("n8n's node panel shows each node's own description", () => {
	const nodes = loadNodes();
	const shown = panelDescriptions(nodes);

	it('lists the six nodes, each once, under its own name', () => {
		expect(Object.keys(shown).sort()).toEqual(['dingShangDeliveryResultTrigger', 'dingShangPayment', 'dingShangPaymentNotificationTrigger', 'dingShangUnfinishedPaymentsTrigger', 'dingShangVending', 'dingShangVendingAlertsTrigger']);
	});

	it('describes no action node as a trigger, and every trigger as one', () => {
		for (const node of nodes.filter((n) => !n.hidden)) {
			expect(shown[node.name]).toBe(node.description);
			if (node.group.includes('trigger')) expect(node.description).toMatch(/^Starts the workflow when/);
			else expect(node.description).not.toMatch(/starts the workflow/i);
		}
	});

	it('keeps the 0.1 trigger type names loadable but hidden, with the same behaviour', () => {
		const hidden = nodes.filter((n) => n.hidden);
		expect(hidden.map((n) => n.name).sort()).toEqual(['dingShangPaymentTrigger', 'dingShangVendingTrigger']);
		const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
		expect(byName.dingShangVendingTrigger.properties).toEqual(byName.dingShangDeliveryResultTrigger.properties);
		expect(byName.dingShangPaymentTrigger.properties).toEqual(byName.dingShangPaymentNotificationTrigger.properties);
	});

	it("each node's codex file names that node", () => {
		for (const entry of PACKAGE.n8n.nodes) {
			const codex = sourceOf(entry).replace(/\.ts$/, '.json');
			const name = (require(sourceOf(entry)) as Record<string, new () => INodeType>);
			const node = new (Object.values(name)[0])().description;
			if (node.hidden) continue;
			expect(JSON.parse(readFileSync(codex, 'utf8')).node).toBe(`${PACKAGE.name}.${node.name}`);
		}
	});

	it('shows every field in the node panel: none is taken for an authentication choice (the provider stays visible)', () => {
		for (const node of nodes) expect([node.name, authChoiceField(node)]).toEqual([node.name, undefined]);
		// The rule itself: credentials `show`n by the provider would hide it (as in 0.1).
		const payment = nodes.find((n) => n.name === 'dingShangPayment') as PanelNode;
		const asBefore = { ...payment, credentials: [{ name: 'weChatPayApi', displayOptions: { show: { provider: ['weChatPay'] } } }, { name: 'alipayApi', displayOptions: { show: { provider: ['alipay'] } } }] };
		expect(authChoiceField(asBefore)).toBe('provider');
	});

	it('offers the Payment Notification Trigger as one panel action per provider', () => {
		const trigger = nodes.find((n) => n.name === 'dingShangPaymentNotificationTrigger') as PanelNode;
		expect(triggerActions(trigger)).toEqual([expect.stringMatching(/WeChat Pay.*微信支付/), expect.stringMatching(/Alipay.*支付宝/)]);
	});
});
