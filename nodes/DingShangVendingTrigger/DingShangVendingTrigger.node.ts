import type { INodeTypeDescription } from 'n8n-workflow';

import { DingShangDeliveryResultTrigger } from '../DingShangDeliveryResultTrigger/DingShangDeliveryResultTrigger.node';

/**
 * The Delivery Result trigger under its 0.1 type name, hidden from the node panel: workflows saved
 * with it keep running. It was renamed because n8n's editor merges a trigger into the action node
 * whose name is the trigger's minus "Trigger" and then shows the trigger's description for it.
 */
export class DingShangVendingTrigger extends DingShangDeliveryResultTrigger {
	description: INodeTypeDescription = {
		...new DingShangDeliveryResultTrigger().description,
		displayName: 'DingShang Vending Trigger',
		name: 'dingShangVendingTrigger',
		icon: { light: 'file:../DingShangDeliveryResultTrigger/dingshang.svg', dark: 'file:../DingShangDeliveryResultTrigger/dingshang.dark.svg' },
		hidden: true,
	};
}
