import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { MACHINE_LANES } from '../../../shared/common/items';
import { dispenseRecord, type DispenseSettings, onMachine } from '../../../shared/dingshang/dispense';
import { toNodeError } from '../../../shared/dingshang/failures';
import { runItems } from '../../../shared/dingshang/items';
import { getOrder, WAITING } from '../../../shared/dingshang/orders';
import { machineNoField, orderIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, positiveId, seconds } from '../validate';

export const option: Operation['option'] = {
	name: 'Dispense',
	description: 'Make the machine dispense the products of a paid or pickup-code order, optionally waiting for the result',
	action: 'Dispense products of an order',
};

const show = { resource: ['delivery'], operation: ['put'] };

export const description: INodeProperties[] = [
	...machineNoField('delivery', ['put']),
	orderIdField('delivery', ['put']),
	{
		displayName: 'Dispense',
		hint: 'Normally every record of the order not yet dispensed; a record already dispensed never drops twice',
		name: 'dispense',
		type: 'options',
		default: 'allPending',
		options: [
			{
				name: 'All Undelivered Records of the Order',
				value: 'allPending',
				description: 'Read the order and dispense every record still waiting, one after another',
			},
			{ name: 'One Record', value: 'record', description: 'Dispense the record with the given Record ID' },
		],
		description: 'What to dispense. Records already dispensed are never dispensed again.',
		displayOptions: { show },
	},
	{
		displayName: 'Record ID',
		hint: 'One record of the order: records[].ID from Get Order',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '78',
		description: 'The ID of the order record i.e. records[].ID from Get Order.',
		displayOptions: { show: { ...show, dispense: ['record'] } },
	},
	{
		displayName: 'Wait for Result',
		hint: 'On: waits for the machine and says dispensed, failed or timeout; needed to refund automatically',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the machine reports the dispense result and output outcome "dispensed", "failed" or "timeout" with the reason — so the workflow can branch to a refund',
		displayOptions: { show },
	},
	{
		displayName: 'Route by Outcome',
		hint: 'On: two outputs, Dispensed and Not Dispensed; connect the refund to the second',
		name: 'routeByOutcome',
		type: 'boolean',
		default: true,
		description:
			'Whether to send dispensed items to the "Dispensed" output and failed or timed-out ones (and errors, with On Error → Continue) to "Not Dispensed", so the refund branch hangs off this node',
		displayOptions: { show: { ...show, waitForResult: [true], '@version': [{ _cnd: { gte: 1.1 } }] } },
	},
	{
		// Version 1 (saved workflows) keeps its single output unless the merchant turns this on.
		displayName: 'Route by Outcome',
		hint: 'On: two outputs, Dispensed and Not Dispensed; connect the refund to the second',
		name: 'routeByOutcome',
		type: 'boolean',
		default: false,
		description:
			'Whether to send dispensed items to the "Dispensed" output and failed or timed-out ones (and errors, with On Error → Continue) to "Not Dispensed", so the refund branch hangs off this node',
		displayOptions: { show: { ...show, waitForResult: [true], '@version': [1] } },
	},
	{
		displayName: 'Max Wait for Machine',
		hint: 'Seconds; 90 = the longest machine lock. How long to retry while the machine is still busy',
		name: 'maxWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 600 },
		default: 90,
		description:
			'Seconds to keep retrying while the machine is still busy with a previous dispense (lock time is 15–90 s depending on the machine) before failing',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Result Timeout',
				hint: 'Seconds; 150 leaves room after the platform\'s own 120 s limit',
				name: 'resultTimeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 900 },
				default: 150,
				description: 'Seconds to wait for the dispense result (the platform itself gives up after 120 s)',
			},
			{
				displayName: 'Request Timeout',
				hint: 'Seconds per platform request. A lost answer is checked first, never re-sent blindly',
				name: 'requestTimeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 120 },
				default: 20,
				description:
					'Seconds to wait for the platform to answer one request. A dispense whose answer is lost is checked, never blindly re-sent.',
			},
		],
	},
];

/** The node's outputs for the current parameters (evaluated by n8n in the editor and at run time). */
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{ $parameter.resource === "delivery" && $parameter.operation === "put" && $parameter.waitForResult !== false && $parameter.routeByOutcome === true ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Dispensed" }, { type: "${NodeConnectionTypes.Main}", displayName: "Not Dispensed" }] : ["${NodeConnectionTypes.Main}"] }}`;

/**
 * With Route by Outcome (the same test as OUTPUTS_EXPRESSION): output 0 "Dispensed" (or nothing
 * left to dispense), output 1 "Not Dispensed" (failed, timed out, or an error item).
 */
export function outputs(ctx: IExecuteFunctions, items: INodeExecutionData[]): INodeExecutionData[][] | undefined {
	const routes = ctx.getNodeParameter('waitForResult', 0, true) !== false && ctx.getNodeParameter('routeByOutcome', 0, false) === true;
	if (!routes) return undefined;
	const notDispensed = (item: INodeExecutionData) => ['failed', 'timeout'].includes(item.json.outcome as string) || item.json.error !== undefined;
	return [items.filter((item) => !notDispensed(item)), items.filter(notDispensed)];
}

interface PutInput extends DispenseSettings {
	recordId?: string;
}

/** Seed 003: `POST /deliveries` with `method=device.delivery.put`, one command per record. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<PutInput>(this, {
		parse: (i, param) => {
			const options = param('options', i, {}) as IDataObject;
			const mode = param('dispense', i, 'allPending') as string;
			return {
				machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
				orderId: positiveId('Order ID', param('orderId', i)),
				recordId: mode === 'record' ? positiveId('Record ID', param('recordId', i)) : undefined,
				waitForResult: param('waitForResult', i, true) as boolean,
				maxWaitSeconds: seconds('Max Wait for Machine', param('maxWaitSeconds', i, 90), 600),
				resultTimeoutSeconds: seconds('Result Timeout', options.resultTimeoutSeconds ?? 150, 900),
				requestTimeoutSeconds: seconds('Request Timeout', options.requestTimeoutSeconds ?? 20, 120) || 20,
			};
		},
		groupKey: (input) => input.machineNo,
		lanes: MACHINE_LANES,
		run: async (input, i, creds) =>
			await onMachine(creds, input.machineNo, async (turn) => {
				if (input.recordId) return [await dispenseRecord(this, creds, turn, input, input.recordId)];

				const order = await getOrder(this, creds, input);
				const { records } = order;
				const pending = records.filter((r) => r.status === WAITING);
				if (pending.length === 0) {
					return [
						{
							machine_no: input.machineNo,
							order_id: Number(input.orderId),
							order_status: order.status ?? null,
							outcome: 'nothing_pending',
							records: records.map((r) => ({ id: r.id, status: r.status })),
						},
					];
				}
				const results: IDataObject[] = [];
				for (const record of pending) {
					try {
						results.push(await dispenseRecord(this, creds, turn, input, String(record.id)));
					} catch (error) {
						const handled = results.length > 0 ? `(already handled in this run: record ${results.map((r) => r.record_id).join(', ')})` : undefined;
						throw toNodeError(this, error, i, handled);
					}
				}
				return results;
			}),
	});
}
