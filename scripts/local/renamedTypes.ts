/**
 * Node types renamed since 0.1 (README › Renamed trigger types): `npm start` moves the example
 * workflows in `.n8n-local/` to the new names. The old names still load (hidden), so this is tidying,
 * not a rescue: parameters, webhook ids and connections stay exactly as they are.
 */
const PACKAGE_NAME = 'n8n-nodes-dingshang';

export const RENAMED_TYPES: Record<string, string> = {
	[`${PACKAGE_NAME}.dingShangVendingTrigger`]: `${PACKAGE_NAME}.dingShangDeliveryResultTrigger`,
	[`${PACKAGE_NAME}.dingShangPaymentTrigger`]: `${PACKAGE_NAME}.dingShangPaymentNotificationTrigger`,
};

/** Renames the old node types of `workflow` in place; true when anything changed. */
export function renameNodeTypes(workflow: { nodes: Array<{ type: string }> }): boolean {
	let changed = false;
	for (const node of workflow.nodes) {
		const renamed = RENAMED_TYPES[node.type];
		if (renamed) {
			node.type = renamed;
			changed = true;
		}
	}
	return changed;
}
