/**
 * How n8n's editor builds its node panel (2.41 `generateMergedNodesAndActions`, same in 1.123):
 * a trigger whose type name minus "Trigger" is an action node's name is merged into that node,
 * and the merged entry shows the trigger's description. Also which property becomes a trigger's
 * panel actions (one displayed as "Event", "Events" or "Trigger On"), and which field it takes for
 * the node's authentication choice and leaves out of the node's panel.
 */
export interface PanelNode {
	name: string;
	displayName: string;
	description: string;
	group: string[];
	hidden?: boolean;
	properties: Array<{ name: string; displayName: string; type: string; options?: Array<{ name: string; value: unknown; action?: string }> }>;
	credentials?: Array<{ name: string; displayOptions?: { show?: Record<string, unknown[]>; hide?: Record<string, unknown[]> } }>;
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

/**
 * The field the editor treats as the authentication choice (2.41 `getMainAuthField`) and so does not
 * show among the node's parameters: among the fields credentials are `show`n by, one named
 * "authentication", else one whose every option shows a credential. Undefined: all fields visible.
 */
export function authChoiceField(node: PanelNode): string | undefined {
	const shownBy: Record<string, string[]> = {};
	for (const credential of node.credentials ?? []) {
		for (const [field, values] of Object.entries(credential.displayOptions?.show ?? {})) shownBy[field] = [...(shownBy[field] ?? []), ...values.map(String)];
	}
	const candidates = node.properties.filter((p) => p.name in shownBy);
	const named = candidates.find((p) => p.name === 'authentication' && !p.options?.some((o) => o.value === 'none'));
	const covering = candidates.find((p) => (p.options?.length ?? 0) > 0 && (p.options ?? []).every((o) => typeof o.value !== 'string' || shownBy[p.name].includes(o.value)));
	return (named ?? covering)?.name;
}
