import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeType } from 'n8n-workflow';

import { authChoiceField, panelDescriptions, type PanelNode } from '../helpers/nodePanel';

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

	// The WeChat Pay / Alipay nodes live in their own packages (packages/) with their own panel tests.
	it('lists the four DingShang nodes, each once, under its own name', () => {
		expect(Object.keys(shown).sort()).toEqual(['dingShangDeliveryResultTrigger', 'dingShangUnfinishedPaymentsTrigger', 'dingShangVending', 'dingShangVendingAlertsTrigger']);
	});

	it('describes no action node as a trigger, and every trigger as one', () => {
		for (const node of nodes.filter((n) => !n.hidden)) {
			expect(shown[node.name]).toBe(node.description);
			if (node.group.includes('trigger')) expect(node.description).toMatch(/^Starts the workflow when/);
			else expect(node.description).not.toMatch(/starts the workflow/i);
		}
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
		const payment = { ...(nodes[0] as PanelNode), properties: [{ displayName: 'Provider', name: 'provider', type: 'options', options: [{ name: 'WeChat Pay', value: 'weChatPay' }, { name: 'Alipay', value: 'alipay' }], default: 'weChatPay' }] } as unknown as PanelNode;
		const asBefore = { ...payment, credentials: [{ name: 'weChatPayApi', displayOptions: { show: { provider: ['weChatPay'] } } }, { name: 'alipayApi', displayOptions: { show: { provider: ['alipay'] } } }] };
		expect(authChoiceField(asBefore)).toBe('provider');
	});
});
