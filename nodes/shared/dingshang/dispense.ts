import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { busyRetryDelayMs, type Check, isFinal, waitForOutcome } from './deliveryWait';
import { DingShangFailure } from './failures';
import { readRecordStatus, WAITING, type OrderRef } from './orders';
import { DELIVERY_METHOD, deliveryTwins, explainOutcome, isMachineBusy, outcomeOfStatus, refundKeyFor, TIMEOUT_REASON } from './protocol';
import type { DingShangCredentials, RequestContext } from './transport';
import { trySend, tryRead } from './transport';

/**
 * Dispensing, one command in flight per machine. Every command that makes a machine drop something
 * (Dispense, Test Dispense, the Unfinished Payments trigger) needs a `MachineTurn`, and only
 * `onMachine` hands one out: within an execution items are already grouped by machine; this
 * process-wide queue also keeps two executions (two payments at once, a late dispense of the
 * recovery trigger) from commanding the same machine at the same time.
 */

declare const turnBrand: unique symbol;
/** Proof that the caller holds the machine's place in the queue. */
export interface MachineTurn {
	readonly machineNo: string;
	readonly [turnBrand]: true;
}

const tails = new Map<string, Promise<void>>();

/** Runs `work` when every earlier command of this machine (same base URL + machine number) has ended. */
export async function onMachine<T>(creds: DingShangCredentials, machineNo: string, work: (turn: MachineTurn) => Promise<T>): Promise<T> {
	const key = `${creds.baseUrl}|${machineNo}`;
	const previous = tails.get(key) ?? Promise.resolve();
	let release: () => void = () => undefined;
	const mine = new Promise<void>((resolve) => (release = resolve));
	const tail = previous.then(() => mine);
	tails.set(key, tail);
	await previous;
	try {
		return await work({ machineNo } as MachineTurn);
	} finally {
		release();
		if (tails.get(key) === tail) tails.delete(key);
	}
}

export function assertTurn(turn: MachineTurn, machineNo: string): void {
	if (turn.machineNo !== machineNo) throw new Error(`Machine ${machineNo} commanded during the turn of machine ${turn.machineNo}`);
}

export interface DispenseSettings extends OrderRef {
	waitForResult: boolean;
	maxWaitSeconds: number;
	resultTimeoutSeconds: number;
	requestTimeoutSeconds: number;
}

/** `readRecordStatus` that throws the failure. */
async function recordStatusOrThrow(ctx: RequestContext, creds: DingShangCredentials, s: DispenseSettings, recordId: string): Promise<string> {
	const read = await readRecordStatus(ctx, creds, s, recordId);
	if (!read.ok) throw read.failure;
	return read.status;
}

interface Sent {
	delivery?: IDataObject;
	/** Set when the answer was lost, or the record was no longer waiting, and its status was read instead. */
	recordStatus?: string;
	/** The record had been dispensed (or was being dispensed) by another execution. */
	byOther?: boolean;
}

/**
 * Sends one dispense command. Machine busy → wait and retry until `maxWaitSeconds`.
 * Answer lost (timeout, reset, 5xx page) → read the record first and re-send only while it is
 * still WAITING_PICKED_UP: a command is never repeated once the platform may have executed it.
 */
async function sendDispense(
	ctx: RequestContext,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
): Promise<Sent> {
	const started = Date.now();
	const deadline = started + s.maxWaitSeconds * 1000;
	let busyRetries = 0;
	let notSentRetries = 0;
	let resends = 0;
	for (;;) {
		const sent = await trySend(ctx, creds, {
			method: 'POST',
			path: '/deliveries',
			signed: { machine_no: s.machineNo, method: DELIVERY_METHOD, order_id: s.orderId, record_id: recordId },
			timeoutMs: s.requestTimeoutSeconds * 1000,
		});
		const data = sent.ok ? (sent.envelope.data as IDataObject | undefined) : undefined;
		if (data && typeof data === 'object' && data.delivery_id) return { delivery: data };
		// Seed 003: `code 0` + "订单未支付" + empty data is a refusal, not a dispense.
		const failure = sent.ok
			? new DingShangFailure('platform', `DingShang did not dispense record ${recordId}: ${sent.envelope.message || 'no delivery_id in the answer'}`, {
					platformMessage: sent.envelope.message,
				})
			: sent.failure;
		const { code, platformMessage } = failure.details;
		if (failure.kind === 'platform' && code !== undefined && isMachineBusy(platformMessage)) {
			const backoffMs = busyRetryDelayMs(busyRetries++);
			if (Date.now() + backoffMs > deadline) {
				throw new DingShangFailure(
					'platform',
					`Machine ${s.machineNo} was still dispensing after waiting ${s.maxWaitSeconds} s; record ${recordId} was not dispensed`,
					{ code, platformMessage },
				);
			}
			await sleep(backoffMs);
			continue;
		}
		if (failure.kind === 'platform' && code === 6034) {
			// No longer waiting: our earlier command (answer lost) or another execution — a copy of
			// this one on another worker, a retry — dispensed it. Report its state; never re-send.
			return { recordStatus: await recordStatusOrThrow(ctx, creds, s, recordId), byOther: resends === 0 };
		}
		if (failure.kind === 'notSent' && notSentRetries < 2) {
			notSentRetries++;
			await sleep(500 * notSentRetries);
			continue;
		}
		if (failure.kind !== 'unknown') throw failure;

		const read = await readRecordStatus(ctx, creds, s, recordId);
		if (!read.ok) {
			throw new DingShangFailure(
				'unknown',
				`The dispense command for record ${recordId} got no usable answer (${failure.message}) and the order could not be read back. It was NOT sent again: check machine ${s.machineNo} and order ${s.orderId} before retrying`,
				failure.details,
			);
		}
		if (read.status !== WAITING || resends >= 2) return { recordStatus: read.status };
		resends++;
	}
}

/** One look at the dispense: Get Delivery, or the order record when no delivery id is known. */
async function checkOnce(
	ctx: RequestContext,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
	deliveryId: string | undefined,
): Promise<Check> {
	if (!deliveryId) {
		const read = await readRecordStatus(ctx, creds, s, recordId);
		if (!read.ok) return read;
		const outcome = outcomeOfStatus(read.status);
		return isFinal(outcome) ? { outcome, recordStatus: read.status } : {};
	}
	const answer = await tryRead(ctx, creds, { method: 'POST', path: `/deliveries/${deliveryId}`, signed: { machine_no: s.machineNo } });
	if (!answer.ok) return answer;
	const delivery = (answer.envelope.data ?? {}) as IDataObject;
	const outcome = outcomeOfStatus(delivery.status);
	if (isFinal(outcome)) return { outcome, delivery };
	if (outcome !== undefined) return {};
	// Unrecognised status text: the record status is the authority.
	const read = await readRecordStatus(ctx, creds, s, recordId);
	if (!read.ok) return read;
	const fromRecord = outcomeOfStatus(read.status);
	return isFinal(fromRecord) ? { outcome: fromRecord, delivery, recordStatus: read.status } : {};
}

/** Dispenses one record and describes what happened, in the platform's words and ours. */
export async function dispenseRecord(
	ctx: RequestContext,
	creds: DingShangCredentials,
	turn: MachineTurn,
	s: DispenseSettings,
	recordId: string,
): Promise<IDataObject> {
	assertTurn(turn, s.machineNo);
	const item = await describeDispense(ctx, creds, s, recordId);
	// What a merchant branches on first (n8n shows fields in this order), the platform's details after.
	const first: IDataObject = { outcome: item.outcome, refund_key: refundKeyFor(item.outcome, s.orderId, recordId) };
	if (item.reason !== undefined) Object.assign(first, { reason: item.reason, reasonZh: item.reasonZh });
	return { ...first, ...item };
}

async function describeDispense(
	ctx: RequestContext,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
): Promise<IDataObject> {
	const sent = await sendDispense(ctx, creds, s, recordId);
	const base: IDataObject = {
		machine_no: s.machineNo,
		order_id: Number(s.orderId),
		record_id: Number(recordId),
	};
	if (sent.delivery) Object.assign(base, sent.delivery);
	if (sent.recordStatus !== undefined) {
		base.record_status = sent.recordStatus;
		if (sent.byOther) base.already_handled = true;
		else base.answer_lost = true;
		base.note = sent.byOther
			? 'This record was already dispensed (or being dispensed) by another execution; its status was read instead of sending a second command.'
			: 'The dispense answer was lost; the record status was read back instead of sending the command again (no double dispense).';
	}
	const deliveryId = sent.delivery?.delivery_id ? String(sent.delivery.delivery_id) : undefined;

	if (!s.waitForResult) {
		const known = outcomeOfStatus(sent.recordStatus);
		const outcome = known === 'dispensed' || known === 'failed' || known === 'timeout' ? known : 'sent';
		return { ...base, ...deliveryTwins(base), outcome, ...explainOutcome(outcome) };
	}
	const result = await waitForOutcome(s.resultTimeoutSeconds, async () => await checkOnce(ctx, creds, s, recordId, deliveryId));
	const merged: IDataObject = { ...base, ...(result.delivery ?? {}) };
	Object.assign(merged, deliveryTwins(merged));
	if (result.recordStatus) merged.record_status = result.recordStatus;
	if (result.timedOut) {
		return {
			...merged,
			outcome: 'timeout',
			reason: `No final result within ${s.resultTimeoutSeconds} s. ${TIMEOUT_REASON.en}`,
			reasonZh: `${s.resultTimeoutSeconds} 秒内未得到最终结果。${TIMEOUT_REASON.zh}`,
		};
	}
	return { ...merged, outcome: result.outcome, ...explainOutcome(result.outcome, undefined, merged.fail_reason as string | undefined) };
}
