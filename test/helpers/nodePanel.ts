/**
 * How n8n's editor builds its node panel (2.41 `generateMergedNodesAndActions`, same in 1.123):
 * a trigger whose type name minus "Trigger" is an action node's name is merged into that node,
 * and the merged entry shows the trigger's description. Also which property becomes a trigger's
 * panel actions (one displayed as "Event", "Events" or "Trigger On").
 */
export interface PanelNode {
	name: string;
	displayName: string;
	description: string;
	group: string[];
	hidden?: boolean;
	properties: Array<{ name: string; displayName: string; type: string; options?: Array<{ name: string; value: unknown; action?: string }> }>;
}

const isTrigger = (node: PanelNode) => node.group.includes('trigger');

/** What the panel shows as each visible node's description, after n8n merges triggers into actions. */
export function panelDescriptions(nodes: PanelNode[]): Record<string, string> {
	const visible = nodes.filter((node) => !node.hidden);
	const shown: Record<string, string> = {};
	for (const node of visible.filter((n) => !isTrigger(n))) shown[node.name] = node.description;
	for (const trigger of visible.filter(isTrigger)) {
		const into = trigger.name.replace('Trigger', '');
		if (into in shown) shown[into] = trigger.description;
		else shown[trigger.name] = trigger.description;
	}
	return shown;
}

/** The panel's actions of a trigger: one per option of its Event / Events / Trigger On property. */
export function triggerActions(node: PanelNode): string[] {
	const property = node.properties.find((p) => ['event', 'events', 'trigger on'].includes(p.displayName.toLowerCase()));
	if (!property?.options) return [`On new ${node.displayName.replace('Trigger', '').trimEnd()} event`];
	return property.options.map((option) => option.action ?? option.name);
}
