import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { dingShangRead } from '../../../shared/transport';
import { machineNoField, orderIdField } from '../common.descriptions';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { machineNo, positiveId } from '../validate';

export const description: INodeProperties[] = [orderIdField('order', ['get']), ...machineNoField('order', ['get'])];

/** `POST /orders/{order_id}` (signed): the order with its records and their status. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({
			orderId: positiveId('Order ID', param('orderId', i)),
			machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
		}),
		groupKey: (input) => `${input.machineNo}/${input.orderId}`,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const answer = await dingShangRead(this, creds, {
				method: 'POST',
				path: `/orders/${input.orderId}`,
				signed: { machine_no: input.machineNo },
			});
			return [{ machine_no: input.machineNo, ...((answer.data as IDataObject) ?? {}) }];
		},
	});
}
