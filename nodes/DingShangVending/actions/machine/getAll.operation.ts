import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { listMachines } from '../../../shared/dingshang/lists';
import { returnAllFields, wanted } from '../getMany';
import type { Operation } from '../resource';

export const option: Operation['option'] = { name: 'Get Many', description: 'List your machines: online or offline, operating, address, last notice', action: 'Get many machines' };

export const description: INodeProperties[] = [...returnAllFields('machine')];

/** `POST /rent/machines`: every machine of the account (lists.ts). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ limit: wanted(this, i) }),
		groupKey: () => 'account',
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => (await listMachines(this, creds)).slice(0, input.limit),
	});
}
