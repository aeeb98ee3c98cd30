import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ORDER_STATUS_OPTIONS } from '../../../shared/protocol';
import type { DingShangCredentials, RequestContext } from '../../../shared/transport';
import { isRetryable, trySend, tryRead } from '../../../shared/transport';
import { machineNoField, orderIdField } from '../common.descriptions';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { integerInRange, machineNo, positiveId } from '../validate';

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

interface UpdateInput {
	orderId: string;
	machineNo: string;
	status: number;
}

/**
 * Seed 000: `PUT /orders/{order_id}` with a signed `machine_no`, `status`, `timestamp` — after
 * reading the order: when it already has the wanted status nothing is sent and the item says
 * `changed: false`, so a copy of a result handled before (a re-pushed callback, a retried
 * execution) stops before its refund step.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<UpdateInput>(this, {
		parse: (i, param) => ({
			orderId: positiveId('Order ID', param('orderId', i)),
			machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
			status: integerInRange('Status', param('status', i), 1, 6),
		}),
		// Updates of one order keep their order; different orders go in parallel.
		groupKey: (input) => `${input.machineNo}/${input.orderId}`,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const wanted = ORDER_STATUS_OPTIONS.find((o) => o.value === input.status)?.platform;
			const before = await readStatus(this, creds, input);
			// `changed` is false too when a copy of this execution elsewhere set it between our read and update.
			const changed = before !== wanted && (await updateOrder(this, creds, input));
			return [
				{
					order_id: Number(input.orderId),
					machine_no: input.machineNo,
					status: input.status,
					order_status: wanted,
					previous_status: before ?? null,
					changed,
					updated: changed,
				},
			];
		},
	});
}

/** The order's platform status (SUCCESS, REFUND, …); a failed read throws, so nothing is sent. */
async function readStatus(ctx: RequestContext, creds: DingShangCredentials, input: UpdateInput): Promise<string | undefined> {
	const order = await tryRead(ctx, creds, { method: 'POST', path: `/orders/${input.orderId}`, signed: { machine_no: input.machineNo } });
	if (!order.ok) throw order.failure;
	// An absent status (protobuf JSON omits the enum's zero value, undocumented) counts as unknown: sent.
	return (order.envelope.data as { status?: string } | undefined)?.status;
}

/**
 * Updates the status; `false` when another execution set it first. When the answer is lost
 * (timeout, reset, 5xx page) or the platform refuses (e.g. 6049 "already paid": a copy of this
 * execution on another worker paid it between our read and our update), the order is read back:
 * if it has the wanted status the work is done; a lost answer is otherwise sent once more.
 */
export async function updateOrder(ctx: RequestContext, creds: DingShangCredentials, input: UpdateInput): Promise<boolean> {
	const request = {
		method: 'PUT' as const,
		path: `/orders/${input.orderId}`,
		signed: { machine_no: input.machineNo, status: String(input.status) },
	};
	const wanted = ORDER_STATUS_OPTIONS.find((o) => o.value === input.status)?.platform;
	for (let attempt = 1; ; attempt++) {
		const sent = await trySend(ctx, creds, request);
		if (sent.ok) return true;
		const refused = sent.failure.kind === 'platform';
		if (!refused && (!isRetryable(sent.failure) || attempt >= 3)) throw sent.failure;
		const status = await readStatus(ctx, creds, input).catch(() => undefined);
		if (status === wanted) return !refused; // lost answer: it was ours; refusal: another execution's
		if (refused || status === undefined) throw sent.failure;
	}
}
