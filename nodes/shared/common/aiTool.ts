import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * The nodes as tools of n8n's AI Agent (docs/reference.md › AI agents). n8n gives the tool variant of a
 * `usableAsTool` node a type name ending in "Tool"; `'@tool'` in displayOptions tests the same.
 */

export const runsAsTool = (ctx: Pick<IExecuteFunctions, 'getNode'>): boolean => ctx.getNode().type.endsWith('Tool');

export const ALLOW_PARAM = 'allowGoodsAndMoney';
export const SIMPLIFY_PARAM = 'simplifyForAgent';

/** Tool-only switch for an action that moves goods or money; off unless the merchant turns it on. */
export function allowGoodsAndMoneyField(show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Allow the Agent to Run This Action',
		hint: 'Off by default: the agent is told no and nothing is sent.',
		name: ALLOW_PARAM,
		type: 'boolean',
		default: false,
		description:
			'Whether the AI agent may really run this action, which moves goods or money (dispense, change an order, refund). Off: the agent is told it is not allowed and nothing is sent.',
		displayOptions: { show: { '@tool': [true], ...show } },
	};
}

/** Tool-only: list answers without nested objects, so a model reads a short list. */
export function simplifyField(show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Simplify for the Agent',
		hint: 'On: shorter rows without nested details, easier for the agent to read',
		name: SIMPLIFY_PARAM,
		type: 'boolean',
		default: true,
		description:
			'Whether to give the agent each row without its nested objects (product, channel details), so long lists stay readable. Off: the full rows.',
		displayOptions: { show: { '@tool': [true], ...show } },
	};
}

/** Throws, before any request, when a tool call would move goods or money and the merchant did not allow it. */
export function refuseUnlessAllowed(ctx: IExecuteFunctions, action: string): void {
	if (!runsAsTool(ctx) || ctx.getNodeParameter(ALLOW_PARAM, 0, false) === true) return;
	throw new NodeOperationError(ctx.getNode(), `Not allowed: this AI tool may not ${action}. The merchant has not switched on "Allow the Agent to Run This Action"; nothing was sent.`, {
		description: 'Ask the merchant to do it, or to switch the tool on.',
	});
}

/** Rows of a list answer without nested objects or arrays (top-level values only). */
export function simplifyRows(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item) => {
		const flat: IDataObject = {};
		for (const [key, value] of Object.entries(item.json)) if (value === null || typeof value !== 'object') flat[key] = value;
		return { ...item, json: flat };
	});
}

/**
 * A failed tool call as one item the model reads, instead of an error that would end the agent's
 * run (n8n 1.x) or reach it without the explanation (2.x passes only the message): the message,
 * the platform code when there is one, and and the explanation.
 */
export function errorForAgent(error: unknown): INodeExecutionData[][] {
	const e = error as { message?: string; description?: string | null };
	const json: IDataObject = { error: e?.message ?? String(error) };
	if (e?.description) json.explanation = e.description;
	return [[{ json }]];
}
