import type { INodeTypeDescription } from 'n8n-workflow';

import { DingShangPaymentNotificationTrigger } from '../DingShangPaymentNotificationTrigger/DingShangPaymentNotificationTrigger.node';

/**
 * The Payment Notification Trigger under its 0.1 type name, hidden from the node panel: workflows
 * saved with it keep running. Renamed for the same reason as the Delivery Result trigger (see
 * nodes/DingShangVendingTrigger): n8n's editor would describe DingShang Payment as this trigger.
 */
export class DingShangPaymentTrigger extends DingShangPaymentNotificationTrigger {
	description: INodeTypeDescription = {
		...new DingShangPaymentNotificationTrigger().description,
		name: 'dingShangPaymentTrigger',
		icon: { light: 'file:../DingShangPaymentNotificationTrigger/payment.svg', dark: 'file:../DingShangPaymentNotificationTrigger/payment.dark.svg' },
		hidden: true,
	};
}
