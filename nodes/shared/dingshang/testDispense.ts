import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { assertTurn, type MachineTurn } from './dispense';
import { busyRetryDelayMs, type Check, isFinal, waitForOutcome } from './deliveryWait';
import { DingShangFailure } from './failures';
import { DELIVERY_METHOD, deliveryTwins, explainOutcome, isMachineBusy, outcomeOfStatus, TIMEOUT_REASON } from './protocol';
import { maskUrlTokens } from './secrets';
import type { DingShangCredentials, RequestContext } from './transport';
import { trySend, tryRead } from './transport';

/** `POST /deliveries/debug` (installers): drops one product from a channel, lock-aware like a dispense. */

export interface TestDispenseInput {
	machineNo: string;
	channelName: string;
	notifyUrl?: string;
	waitForResult: boolean;
	maxWaitSeconds: number;
}

/** Sends the test command; waits while the machine is busy; never re-sends after a lost answer. */
async function sendTest(ctx: RequestContext, creds: DingShangCredentials, input: TestDispenseInput): Promise<IDataObject> {
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

/** Tests one channel during the machine's turn; waits for the result (150 s at most) when asked. */
export async function testDispense(ctx: RequestContext, creds: DingShangCredentials, turn: MachineTurn, input: TestDispenseInput): Promise<IDataObject> {
	assertTurn(turn, input.machineNo);
	const sent = await sendTest(ctx, creds, input);
	const base: IDataObject = { machine_no: input.machineNo, channel_name: input.channelName, notify_url: input.notifyUrl ? maskUrlTokens(input.notifyUrl) : null, ...sent };
	if (!input.waitForResult) return { ...base, ...deliveryTwins(base), outcome: 'sent' };
	const check = async (): Promise<Check> => {
		const read = await tryRead(ctx, creds, { method: 'POST', path: `/deliveries/${String(sent.delivery_id)}`, signed: { machine_no: input.machineNo } });
		if (!read.ok) return read;
		const delivery = (read.envelope.data ?? {}) as IDataObject;
		const outcome = outcomeOfStatus(delivery.status);
		return isFinal(outcome) ? { outcome, delivery } : {};
	};
	const result = await waitForOutcome(150, check);
	const merged: IDataObject = { ...base, ...(result.delivery ?? {}) };
	if (result.timedOut) return { ...merged, ...deliveryTwins(merged), outcome: 'timeout', reason: TIMEOUT_REASON.en, reasonZh: TIMEOUT_REASON.zh };
	return { ...merged, ...deliveryTwins(merged), outcome: result.outcome, ...explainOutcome(result.outcome, undefined, merged.fail_reason as string | undefined) };
}
