import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { FLOOR_STATUS } from '../../../shared/protocol';
import type { DingShangCredentials, RequestContext } from '../../../shared/transport';
import { dingShangRead } from '../../../shared/transport';
import { machineNoField } from '../common.descriptions';
import { asList, returnAllFields, wanted } from '../getMany';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { machineNo } from '../validate';

export const description: INodeProperties[] = [...machineNoField('channel', ['getAll']), ...returnAllFields('channel')];

/**
 * `POST /floors`: one item per channel with its status explained in English and 中文 (the same
 * `floor_status` / `channelStatus` / `channelStatusZh` as a delivery result), stock and product
 * (`good_id`: the catalogue item; `/floors` does not give the machine's product id).
 */
export async function listChannels(ctx: RequestContext, creds: DingShangCredentials, machine: string): Promise<IDataObject[]> {
	const answer = await dingShangRead(ctx, creds, { method: 'POST', path: '/floors', signed: { machine_no: machine } });
	return asList<IDataObject>(answer.data).map((row) => {
		const good = (row.good ?? {}) as IDataObject;
		const channel = (row.channel ?? {}) as IDataObject;
		// The docs name it either way; absent means unknown, never "normal".
		const floorStatus = row.floor_status ?? row.status;
		const status = floorStatus === undefined ? undefined : FLOOR_STATUS[String(floorStatus)];
		return {
			machine_no: machine,
			channel_name: channel.name ?? null,
			floor_status: floorStatus === undefined ? null : String(floorStatus),
			channelStatus: status?.en ?? null,
			channelStatusZh: status?.zh ?? null,
			fault: floorStatus !== undefined && String(floorStatus) !== '1',
			current_inventory: Number(row.current_inventory ?? 0),
			inventory: Number(row.inventory ?? 0),
			good_id: good.id ?? null,
			product_name: good.name ?? null,
			...row,
		};
	});
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ machineNo: machineNo(param('machineNo', i, '', { extractValue: true })), limit: wanted(this, i) }),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => (await listChannels(this, creds, input.machineNo)).slice(0, input.limit),
	});
}
