import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { listChannels } from '../../../shared/dingshang/lists';
import { machineNoField } from '../common.descriptions';
import { returnAllFields, wanted } from '../getMany';
import type { Operation } from '../resource';
import { machineNo } from '../validate';

export const option: Operation['option'] = { name: 'Get Many', description: "List a machine's channels: status explained (stuck, motor fault…), stock, capacity, product", action: 'Get many channels' };

export const description: INodeProperties[] = [...machineNoField('channel', ['getAll']), ...returnAllFields('channel')];

/** `POST /floors`: one item per channel, its status explained (lists.ts). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ machineNo: machineNo(param('machineNo', i, '', { extractValue: true })), limit: wanted(this, i) }),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => (await listChannels(this, creds, input.machineNo)).slice(0, input.limit),
	});
}
