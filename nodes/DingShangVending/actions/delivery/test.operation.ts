import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { DELIVERY_METHOD, deliveryTwins, explainOutcome, isMachineBusy, outcomeOfStatus, TIMEOUT_REASON } from '../../../shared/protocol';
import { maskUrlTokens } from '../../../shared/secrets';
import type { DingShangCredentials } from '../../../shared/transport';
import { DingShangFailure, trySend, tryRead } from '../../../shared/transport';
import { channelNameField, machineNoField, notifyUrlField } from '../common.descriptions';
import { withMachineNo } from '../order/create.operation';
import { MACHINE_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { asText, invalid } from '../../../shared/common/input';
import { machineNo, optionalUrl, seconds } from '../validate';
import type { Check } from './dispense';
import { busyRetryDelayMs, isFinal, waitForOutcome } from './dispense';
import { withMachine } from './machineQueue';

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

interface TestInput {
	machineNo: string;
	channelName: string;
	notifyUrl?: string;
	waitForResult: boolean;
	maxWaitSeconds: number;
}

/** Sends the test command; waits while the machine is busy; never re-sends after a lost answer. */
async function sendTest(ctx: IExecuteFunctions, creds: DingShangCredentials, input: TestInput): Promise<IDataObject> {
	const signed: IDataObject = { machine_no: input.machineNo, method: DELIVERY_METHOD, channel_name: input.channelName };
	if (input.notifyUrl) signed.notify_url = input.notifyUrl;
	const deadline = Date.now() + input.maxWaitSeconds * 1000;
	for (let notSent = 0, busy = 0; ; ) {
		const sent = await trySend(ctx, creds, { method: 'POST', path: '/deliveries/debug', signed });
		const data = sent.ok ? (sent.envelope.data as IDataObject | undefined) : undefined;
		if (data && typeof data === 'object' && data.delivery_id) return data;
		const failure = sent.ok
			? new DingShangFailure('platform', `DingShang did not test channel ${input.channelName}: ${sent.envelope.message || 'no delivery_id in the answer'}`)
			: sent.failure;
		if (failure.kind === 'platform' && failure.details.code !== undefined && isMachineBusy(failure.details.platformMessage)) {
			const backoffMs = busyRetryDelayMs(busy++);
			if (Date.now() + backoffMs > deadline) {
				throw new DingShangFailure('platform', `Machine ${input.machineNo} was still dispensing after waiting ${input.maxWaitSeconds} s; channel ${input.channelName} was not tested`, failure.details);
			}
			await sleep(backoffMs);
			continue;
		}
		if (failure.kind === 'notSent' && notSent < 2) {
			await sleep(500 * ++notSent);
			continue;
		}
		if (failure.kind === 'unknown') {
			throw new DingShangFailure(
				'unknown',
				`The test dispense of channel ${input.channelName} got no usable answer (${failure.message}). It was NOT sent again: the machine may have dropped a product — look at machine ${input.machineNo} before retrying`,
				failure.details,
			);
		}
		throw failure;
	}
}

/** `POST /deliveries/debug` (installers): drops one product from a channel, lock-aware like Dispense. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<TestInput>(this, {
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
		run: async (input, _i, creds) =>
			await withMachine(`${creds.baseUrl}|${input.machineNo}`, async () => {
				const sent = await sendTest(this, creds, input);
				const base: IDataObject = { machine_no: input.machineNo, channel_name: input.channelName, notify_url: input.notifyUrl ? maskUrlTokens(input.notifyUrl) : null, ...sent };
				if (!input.waitForResult) return [{ ...base, ...deliveryTwins(base), outcome: 'sent' }];
				const check = async (): Promise<Check> => {
					const read = await tryRead(this, creds, { method: 'POST', path: `/deliveries/${String(sent.delivery_id)}`, signed: { machine_no: input.machineNo } });
					if (!read.ok) return read;
					const delivery = (read.envelope.data ?? {}) as IDataObject;
					const outcome = outcomeOfStatus(delivery.status);
					return isFinal(outcome) ? { outcome, delivery } : {};
				};
				const result = await waitForOutcome(150, check);
				const merged: IDataObject = { ...base, ...(result.delivery ?? {}) };
				if (result.timedOut) return [{ ...merged, ...deliveryTwins(merged), outcome: 'timeout', reason: TIMEOUT_REASON.en, reasonZh: TIMEOUT_REASON.zh }];
				return [{ ...merged, ...deliveryTwins(merged), outcome: result.outcome, ...explainOutcome(result.outcome, undefined, merged.fail_reason as string | undefined) }];
			}),
	});
}
