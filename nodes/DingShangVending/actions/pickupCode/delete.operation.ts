import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { dingShangRequest } from '../../../shared/dingshang/transport';
import { machineNoField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, positiveId } from '../validate';

export const option: Operation['option'] = { name: 'Delete', description: 'Cancel one pickup code, or all of a machine', action: 'Delete pickup codes' };

const show = { resource: ['pickupCode'], operation: ['delete'] };

export const description: INodeProperties[] = [
	...machineNoField('pickupCode', ['delete']),
	{
		displayName: 'Delete',
		hint: 'One code by its ID, or every unused code of the machine',
		name: 'deleteWhat',
		type: 'options',
		default: 'one',
		options: [
			{ name: 'One Code', value: 'one', description: 'The code with the given ID' },
			{ name: 'All Codes of the Machine', value: 'all', description: 'Every unused code of this machine' },
		],
		displayOptions: { show },
	},
	{
		displayName: 'Pickup Code ID',
		hint: 'The code\'s ID from Get Many Pickup Codes, not the code itself',
		name: 'pickupCodeId',
		type: 'string',
		required: true,
		default: '',
		description: 'The code\'s ID (not the code itself), as Get Many Pickup Codes shows it',
		displayOptions: { show: { ...show, deleteWhat: ['one'] } },
	},
];

/** **`PUT`** `/pickup_codes`, method `pickup_code.delete.id` (+ `id`) or `pickup_code.delete.all`. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems(this, {
		parse: (i, param) => {
			const all = param('deleteWhat', i, 'one') === 'all';
			return {
				machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
				id: all ? undefined : positiveId('Pickup Code ID', param('pickupCodeId', i)),
			};
		},
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const signed = input.id
				? { machine_no: input.machineNo, method: 'pickup_code.delete.id', id: input.id }
				: { machine_no: input.machineNo, method: 'pickup_code.delete.all' };
			await dingShangRequest(this, creds, { method: 'PUT', path: '/pickup_codes', signed });
			return [{ machine_no: input.machineNo, deleted: true, ...(input.id ? { id: Number(input.id) } : { all: true }) }];
		},
	});
}
