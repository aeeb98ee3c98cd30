import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { DingShangCredentials, RequestContext } from '../../../shared/transport';
import { dingShangRead } from '../../../shared/transport';
import { asList, returnAllFields, wanted } from '../getMany';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';

export const description: INodeProperties[] = [...returnAllFields('machine')];

/**
 * `POST /rent/machines` (headers only, nothing signed): every machine of the account. Protobuf
 * JSON leaves `false` out, so `is_online` and `status` (operating) are filled in as booleans.
 */
export async function listMachines(ctx: RequestContext, creds: DingShangCredentials): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: '/rent/machines' });
	return asList<IDataObject>(answer.data).map((m) => ({ ...m, is_online: m.is_online === true, status: m.status === true }));
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ limit: wanted(this, i) }),
		groupKey: () => 'account',
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => (await listMachines(this, creds)).slice(0, input.limit),
	});
}
