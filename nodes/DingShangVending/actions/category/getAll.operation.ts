import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { listCategories } from '../../../shared/dingshang/lists';
import { machineNoField } from '../common.descriptions';
import { returnAllFields, wanted } from '../getMany';
import type { Operation } from '../resource';
import { machineNo } from '../validate';

export const option: Operation['option'] = { name: 'Get Many', description: "List a machine's product categories", action: 'Get many categories' };

export const description: INodeProperties[] = [...machineNoField('category', ['getAll']), ...returnAllFields('category')];

/** `POST /categories`: `{id, title, sort_id, is_visible}` per category (absent `is_visible` = false). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ machineNo: machineNo(param('machineNo', i, '', { extractValue: true })), limit: wanted(this, i) }),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => (await listCategories(this, creds, input.machineNo)).slice(0, input.limit),
	});
}
