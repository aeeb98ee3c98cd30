import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { setOrderStatus } from '../../../shared/dingshang/orders';
import { ORDER_STATUS_OPTIONS } from '../../../shared/dingshang/protocol';
import { machineNoField, orderIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { integerInRange, machineNo, positiveId } from '../validate';

export const option: Operation['option'] = {
	name: 'Update',
	description: 'Set the order status, e.g. Paid after payment or Refund after a failed dispense',
	action: 'Update an order status',
};

const [paid, refund, closed, revoked, userPaying, payError] = ORDER_STATUS_OPTIONS;

export const description: INodeProperties[] = [
	orderIdField('order', ['update']),
	...machineNoField('order', ['update']),
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		required: true,
		default: 1, // Paid
		// Written out (from the protocol table) so n8n's lint can check the default against the values.
		options: [
			{ name: paid.name, value: paid.value },
			{ name: refund.name, value: refund.value },
			{ name: closed.name, value: closed.value },
			{ name: revoked.name, value: revoked.value },
			{ name: userPaying.name, value: userPaying.value },
			{ name: payError.name, value: payError.value },
		],
		description: 'The new order status. Set Paid after the payment succeeded, then dispense. The order is read first: if it already has this status nothing is sent and the output says changed: false — stop a refund branch there, so a repeated result refunds nothing twice. Any status other than Paid returns the ordered quantity to the machine stock; orders left unpaid for 20 minutes expire and can no longer be updated or dispensed.',
		hint: 'Paid after the payment, then dispense; other statuses put the stock back. Unpaid orders expire in 20 min',
		displayOptions: { show: { resource: ['order'], operation: ['update'] } },
	},
];

/**
 * Seed 000: `PUT /orders/{order_id}` with a signed `machine_no`, `status`, `timestamp` — after
 * reading the order: when it already has the wanted status nothing is sent and the item says
 * `changed: false`, so a copy of a result handled before (a re-pushed callback, a retried
 * execution) stops before its refund step.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({
			orderId: positiveId('Order ID', param('orderId', i)),
			machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
			status: integerInRange('Status', param('status', i), 1, 6),
		}),
		// Updates of one order keep their order; different orders go in parallel.
		groupKey: (input) => `${input.machineNo}/${input.orderId}`,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const { changed, previous, wanted } = await setOrderStatus(this, creds, input);
			return [
				{
					order_id: Number(input.orderId),
					machine_no: input.machineNo,
					status: input.status,
					order_status: wanted,
					previous_status: previous ?? null,
					changed,
					updated: changed,
				},
			];
		},
	});
}
