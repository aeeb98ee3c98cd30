import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { deliveryTwins, explainOutcome, outcomeOfStatus } from '../../../shared/dingshang/protocol';
import { dingShangRead } from '../../../shared/dingshang/transport';
import { machineNoField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, positiveId } from '../validate';

export const option: Operation['option'] = { name: 'Get', description: 'Get the state of one dispense by its delivery ID', action: 'Get a delivery' };

export const description: INodeProperties[] = [
	...machineNoField('delivery', ['get']),
	{
		displayName: 'Delivery ID',
		hint: 'The delivery_id a Dispense output gave',
		name: 'deliveryId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '5121763043809673',
		description: 'The delivery_id returned by Put Delivery',
		displayOptions: { show: { resource: ['delivery'], operation: ['get'] } },
	},
];

/** `POST /deliveries/{delivery_id}` (signed): the state of one dispense, with our outcome. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({
			machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
			deliveryId: positiveId('Delivery ID', param('deliveryId', i)),
		}),
		// Reads: no order to keep, so every item is its own group.
		groupKey: (input) => `${input.machineNo}/${input.deliveryId}`,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const answer = await dingShangRead(this, creds, {
				method: 'POST',
				path: `/deliveries/${input.deliveryId}`,
				signed: { machine_no: input.machineNo },
			});
			const delivery = (answer.data ?? {}) as IDataObject;
			const status = outcomeOfStatus(delivery.status);
			const outcome = status === 'waiting' || status === 'pending' || status === undefined ? 'pending' : status;
			const out: IDataObject = { machine_no: input.machineNo, delivery_id: input.deliveryId, ...delivery, ...deliveryTwins(delivery), outcome };
			return [{ ...out, ...explainOutcome(outcome, undefined, delivery.fail_reason as string | undefined) }];
		},
	});
}
