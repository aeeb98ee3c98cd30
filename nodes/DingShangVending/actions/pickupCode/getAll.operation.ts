import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { listCodes } from '../../../shared/dingshang/lists';
import { machineNoField, productIdField } from '../common.descriptions';
import { returnAllFields, wanted } from '../getMany';
import type { Operation } from '../resource';
import { machineNo, positiveId } from '../validate';

export const option: Operation['option'] = { name: 'Get Many', description: "List a product's unused pickup codes", action: 'Get many pickup codes' };

export const description: INodeProperties[] = [
	...machineNoField('pickupCode', ['getAll']),
	...productIdField('pickupCode', ['getAll']),
	...returnAllFields('pickupCode'),
];

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
