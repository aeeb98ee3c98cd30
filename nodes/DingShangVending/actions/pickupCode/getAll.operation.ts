import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DingShangCredentials } from '../../../shared/transport';
import { dingShangRead } from '../../../shared/transport';
import { machineNoField, productIdField } from '../common.descriptions';
import { asList, returnAllFields, wanted } from '../getMany';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { machineNo, positiveId } from '../validate';

export const description: INodeProperties[] = [
	...machineNoField('pickupCode', ['getAll']),
	...productIdField('pickupCode', ['getAll']),
	...returnAllFields('pickupCode'),
];

/** `POST /products/{product_id}/pickup_code`: the product's unused, unexpired codes. */
export async function listCodes(ctx: IExecuteFunctions, creds: DingShangCredentials, machine: string, productId: string): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: `/products/${productId}/pickup_code`, signed: { machine_no: machine } });
	return asList<IDataObject>(answer.data).map((code) => ({ machine_no: machine, product_id: Number(productId), ...code }));
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({
			machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
			productId: positiveId('Product ID', param('productId', i, '', { extractValue: true })),
			limit: wanted(this, i),
		}),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => (await listCodes(this, creds, input.machineNo, input.productId)).slice(0, input.limit),
	});
}
