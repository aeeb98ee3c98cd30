import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { asText, invalid } from '../../../shared/common/input';
import { MACHINE_LANES } from '../../../shared/common/items';
import { onMachine } from '../../../shared/dingshang/dispense';
import { runItems } from '../../../shared/dingshang/items';
import { withMachineNo } from '../../../shared/dingshang/orders';
import { testDispense, type TestDispenseInput } from '../../../shared/dingshang/testDispense';
import { channelNameField, machineNoField, notifyUrlField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, optionalUrl, seconds } from '../validate';

export const option: Operation['option'] = {
	name: 'Test Dispense',
	description: 'Drop one product from a channel to test the machine (installers; the product really comes out)',
	action: 'Test dispense a channel',
};

const show = { resource: ['delivery'], operation: ['test'] };

export const description: INodeProperties[] = [
	{
		displayName: 'The machine really drops a product from this channel (and its stock goes down by one). Use it when installing or repairing a machine.',
		name: 'testDispenseNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...machineNoField('delivery', ['test']),
	...channelNameField('delivery', ['test']),
	notifyUrlField('delivery', ['test']),
	{
		displayName: 'Wait for Result',
		hint: 'On: waits for the machine and says dispensed, failed or timeout',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		description: 'Whether to wait until the machine reports the result and output outcome "dispensed", "failed" or "timeout" with the reason',
		displayOptions: { show },
	},
	{
		displayName: 'Max Wait for Machine',
		hint: 'Seconds; 90 = the longest machine lock. How long to retry while the machine is still busy',
		name: 'maxWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 600 },
		default: 90,
		description: 'Seconds to keep retrying while the machine is still busy with a previous dispense before failing',
		displayOptions: { show },
	},
];

/** `POST /deliveries/debug` (installers): drops one product from a channel, lock-aware like Dispense. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<TestDispenseInput>(this, {
		parse: (i, param) => {
			const machine = machineNo(param('machineNo', i, '', { extractValue: true }));
			const channelName = asText(param('channelName', i, '', { extractValue: true })).toUpperCase();
			if (!/^[A-Z]\d{1,3}$/.test(channelName)) throw invalid('Channel Name', param('channelName', i, '', { extractValue: true }), 'expected a channel like A1 or A21');
			const notifyUrl = optionalUrl('Notify URL', param('notifyUrl', i, ''));
			return {
				machineNo: machine,
				channelName,
				notifyUrl: notifyUrl ? withMachineNo(notifyUrl, machine) : undefined,
				waitForResult: param('waitForResult', i, true) as boolean,
				maxWaitSeconds: seconds('Max Wait for Machine', param('maxWaitSeconds', i, 90), 600),
			};
		},
		groupKey: (input) => input.machineNo,
		lanes: MACHINE_LANES,
		run: async (input, _i, creds) => [await onMachine(creds, input.machineNo, async (turn) => await testDispense(this, creds, turn, input))],
	});
}
