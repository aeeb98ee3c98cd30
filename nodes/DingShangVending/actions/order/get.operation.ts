import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { getOrder } from '../../../shared/dingshang/orders';
import { machineNoField, orderIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, positiveId } from '../validate';

export const option: Operation['option'] = { name: 'Get', description: 'Get an order with its records and their dispense status', action: 'Get an order' };

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
		run: async (input, _i, creds) => [{ machine_no: input.machineNo, ...(await getOrder(this, creds, input)) }],
	});
}
