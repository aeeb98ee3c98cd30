import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { dingShangRead } from '../../../shared/transport';
import { machineNoField } from '../common.descriptions';
import { asList, returnAllFields, wanted } from '../getMany';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { machineNo } from '../validate';

export const description: INodeProperties[] = [...machineNoField('category', ['getAll']), ...returnAllFields('category')];

/** `POST /categories`: `{id, title, sort_id, is_visible}` per category (absent `is_visible` = false). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ machineNo: machineNo(param('machineNo', i, '', { extractValue: true })), limit: wanted(this, i) }),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const answer = await dingShangRead(this, creds, { method: 'POST', path: '/categories', signed: { machine_no: input.machineNo } });
			return asList<IDataObject>(answer.data)
				.map((c) => ({ machine_no: input.machineNo, ...c, is_visible: c.is_visible === true }))
				.slice(0, input.limit);
		},
	});
}
