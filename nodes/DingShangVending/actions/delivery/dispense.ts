import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DispenseOutcome } from '../../../shared/protocol';
import { DELIVERY_METHOD, deliveryTwins, explainOutcome, isMachineBusy, outcomeOfStatus, refundKeyFor, TIMEOUT_REASON } from '../../../shared/protocol';
import type { DingShangCredentials, RequestContext } from '../../../shared/transport';
import { DingShangFailure, dingShangRead, trySend, tryRead } from '../../../shared/transport';

export interface DispenseSettings {
	machineNo: string;
	orderId: string;
	waitForResult: boolean;
	maxWaitSeconds: number;
	resultTimeoutSeconds: number;
	requestTimeoutSeconds: number;
}

interface OrderRecord {
	id?: number | string;
	status?: string;
	product_id?: number;
	quantity?: number;
}

export async function readOrder(ctx: RequestContext, creds: DingShangCredentials, s: DispenseSettings) {
	const answer = await dingShangRead(ctx, creds, {
		method: 'POST',
		path: `/orders/${s.orderId}`,
		signed: { machine_no: s.machineNo },
	});
	const order = (answer.data ?? {}) as IDataObject & { records?: OrderRecord[] };
	return { order, records: Array.isArray(order.records) ? order.records : [] };
}

type RecordRead = { ok: true; status: string } | { ok: false; failure: DingShangFailure };

/** The record's status, read from its order; a failed read is returned, not thrown. */
async function readRecordStatus(
	ctx: RequestContext,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
): Promise<RecordRead> {
	const read = await tryRead(ctx, creds, { method: 'POST', path: `/orders/${s.orderId}`, signed: { machine_no: s.machineNo } });
	if (!read.ok) return read;
	const data = (read.envelope.data ?? {}) as { records?: OrderRecord[] };
	const record = (Array.isArray(data.records) ? data.records : []).find((r) => String(r.id) === recordId);
	if (!record) {
		return { ok: false, failure: new DingShangFailure('platform', `Record ${recordId} is not part of order ${s.orderId}`, { code: 4004 }) };
	}
	// Protobuf JSON omits zero values, so an absent status is the first enum value.
	return { ok: true, status: record.status ?? 'WAITING_PICKED_UP' };
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
		if (read.status !== 'WAITING_PICKED_UP' || resends >= 2) return { recordStatus: read.status };
		resends++;
	}
}

/**
 * Wait before re-sending a command the machine refused as busy: 250 ms, 500 ms, then every
 * second, ±20% so executions waiting for one machine do not retry in step. A dispense takes
 * 0.5–1 s (docs): a longer back-off leaves the machine idle after it frees (queue-mode bench,
 * scenario 7: with up to 5 s, gaps between one machine's dispenses had a p90 of 4.2 s).
 */
export function busyRetryDelayMs(retry: number, random: () => number = Math.random): number {
	return Math.round(Math.min(1000, 250 * 2 ** retry) * (0.8 + 0.4 * random()));
}

/**
 * Wait before the next result check, by time since the command. The docs say a dispense takes
 * 0.5–1 s: look every 50 ms inside that window (≈6 checks per dispense) so the machine's next
 * item starts promptly, every 250 ms up to 3 s, then back off to every 2 s (a machine that never
 * reports is timed out by the platform after 120 s).
 */
export function pollDelayMs(elapsedMs: number): number {
	if (elapsedMs < 500) return 500 - elapsedMs;
	if (elapsedMs < 1100) return 50;
	if (elapsedMs < 3000) return 250;
	return Math.min(2000, Math.round(elapsedMs / 4));
}

/** Polls `check` (Get Delivery, or the order record when no delivery id is known) until a final outcome. */
export async function waitForOutcome(
	resultTimeoutSeconds: number,
	check: () => Promise<Check>,
): Promise<{ outcome: DispenseOutcome; delivery?: IDataObject; recordStatus?: string; timedOut?: boolean }> {
	const started = Date.now();
	const deadline = started + resultTimeoutSeconds * 1000;
	for (let checks = 0; ; checks++) {
		const delayMs = pollDelayMs(Date.now() - started);
		const left = deadline - Date.now();
		if (checks > 0 && delayMs > left) return { outcome: 'timeout', timedOut: true };
		await sleep(Math.max(0, Math.min(delayMs, left))); // at least one check, even with a tiny timeout
		const checked = await check();
		// A platform refusal ends the wait; a transient read failure does not (keep polling to the deadline).
		if ('failure' in checked) {
			if (checked.failure.kind === 'platform') throw checked.failure;
			continue;
		}
		if (checked.outcome) return { ...checked, outcome: checked.outcome };
	}
}

export type Check = { failure: DingShangFailure } | { outcome?: DispenseOutcome; delivery?: IDataObject; recordStatus?: string };
export const isFinal = (o: ReturnType<typeof outcomeOfStatus>): o is DispenseOutcome => o === 'dispensed' || o === 'failed' || o === 'timeout';

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
	s: DispenseSettings,
	recordId: string,
): Promise<IDataObject> {
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
