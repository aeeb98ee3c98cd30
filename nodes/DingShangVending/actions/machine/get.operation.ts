import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { MACHINE_TYPES } from '../../../shared/dingshang/protocol';
import { dingShangRead } from '../../../shared/dingshang/transport';
import { machineNoField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo } from '../validate';

export const option: Operation['option'] = { name: 'Get', description: 'Get one machine: model, cabinets, type, categories', action: 'Get a machine' };

export const description: INodeProperties[] = [...machineNoField('machine', ['get'])];

/** `POST /rent/machines/{machine_no}` (headers only): one machine, its type also as text. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => ({ machineNo: machineNo(param('machineNo', i, '', { extractValue: true })) }),
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const answer = await dingShangRead(this, creds, { method: 'POST', path: `/rent/machines/${input.machineNo}` });
			const machine = (answer.data ?? {}) as IDataObject;
			const type = MACHINE_TYPES[String(machine.machine_type ?? '')];
			return [{ machine_no: input.machineNo, ...machine, is_online: machine.is_online === true, machineType: type?.en ?? null, machineTypeZh: type?.zh ?? null }];
		},
	});
}
