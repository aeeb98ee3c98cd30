import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DispenseOutcome } from '../../../shared/protocol';
import { DELIVERY_METHOD, explainOutcome, isMachineBusy, outcomeOfStatus, TIMEOUT_REASON } from '../../../shared/protocol';
import type { DingShangCredentials } from '../../../shared/transport';
import { DingShangFailure, dingShangRead, dingShangRequest } from '../../../shared/transport';

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

export async function readOrder(ctx: IExecuteFunctions, creds: DingShangCredentials, s: DispenseSettings) {
	const answer = await dingShangRead(ctx, creds, {
		method: 'POST',
		path: `/orders/${s.orderId}`,
		signed: { machine_no: s.machineNo },
	});
	const order = (answer.data ?? {}) as IDataObject & { records?: OrderRecord[] };
	return { order, records: Array.isArray(order.records) ? order.records : [] };
}

async function readRecordStatus(
	ctx: IExecuteFunctions,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
): Promise<string | undefined> {
	const { records } = await readOrder(ctx, creds, s);
	const record = records.find((r) => String(r.id) === recordId);
	if (!record) {
		throw new DingShangFailure('platform', `Record ${recordId} is not part of order ${s.orderId}`, { code: 4004 });
	}
	// Protobuf JSON omits zero values, so an absent status is the first enum value.
	return record.status ?? 'WAITING_PICKED_UP';
}

interface Sent {
	delivery?: IDataObject;
	/** Set when the answer was lost and the record status was read instead. */
	recordStatus?: string;
}

/**
 * Sends one dispense command. Machine busy → wait and retry until `maxWaitSeconds`.
 * Answer lost (timeout, reset, 5xx page) → read the record first and re-send only while it is
 * still WAITING_PICKED_UP: a command is never repeated once the platform may have executed it.
 */
async function sendDispense(
	ctx: IExecuteFunctions,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
): Promise<Sent> {
	const started = Date.now();
	const deadline = started + s.maxWaitSeconds * 1000;
	let backoffMs = 500;
	let notSentRetries = 0;
	let resends = 0;
	for (;;) {
		try {
			const answer = await dingShangRequest(ctx, creds, {
				method: 'POST',
				path: '/deliveries',
				signed: { machine_no: s.machineNo, method: DELIVERY_METHOD, order_id: s.orderId, record_id: recordId },
				timeoutMs: s.requestTimeoutSeconds * 1000,
			});
			const data = answer.data as IDataObject | undefined;
			if (!data || typeof data !== 'object' || !data.delivery_id) {
				// Seed 003: `code 0` + "订单未支付" + empty data is a refusal, not a dispense.
				throw new DingShangFailure('platform', `DingShang did not dispense record ${recordId}: ${answer.message || 'no delivery_id in the answer'}`, {
					platformMessage: answer.message,
				});
			}
			return { delivery: data };
		} catch (error) {
			if (!(error instanceof DingShangFailure)) throw error;
			const { code, platformMessage } = error.details;
			if (error.kind === 'platform' && code !== undefined && isMachineBusy(code, platformMessage)) {
				if (Date.now() + backoffMs > deadline) {
					throw new DingShangFailure(
						'platform',
						`Machine ${s.machineNo} was still dispensing after waiting ${s.maxWaitSeconds} s; record ${recordId} was not dispensed`,
						{ code, platformMessage },
					);
				}
				await sleep(backoffMs);
				backoffMs = Math.min(backoffMs * 2, 5000);
				continue;
			}
			if (error.kind === 'platform' && code === 6034 && resends > 0) {
				// Our earlier command, whose answer was lost, was executed after all.
				return { recordStatus: await readRecordStatus(ctx, creds, s, recordId) };
			}
			if (error.kind === 'notSent' && notSentRetries < 2) {
				notSentRetries++;
				await sleep(500 * notSentRetries);
				continue;
			}
			if (error.kind !== 'unknown') throw error;

			let status: string | undefined;
			try {
				status = await readRecordStatus(ctx, creds, s, recordId);
			} catch {
				throw new DingShangFailure(
					'unknown',
					`The dispense command for record ${recordId} got no usable answer (${error.message}) and the order could not be read back. It was NOT sent again: check machine ${s.machineNo} and order ${s.orderId} before retrying`,
					error.details,
				);
			}
			if (status !== 'WAITING_PICKED_UP' || resends >= 2) return { recordStatus: status };
			resends++;
		}
	}
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

/** Polls Get Delivery (or the order record when no delivery id is known) until a final outcome. */
async function waitForOutcome(
	ctx: IExecuteFunctions,
	creds: DingShangCredentials,
	s: DispenseSettings,
	recordId: string,
	deliveryId: string | undefined,
): Promise<{ outcome: DispenseOutcome; delivery?: IDataObject; recordStatus?: string; timedOut?: boolean }> {
	const started = Date.now();
	const deadline = started + s.resultTimeoutSeconds * 1000;
	for (let checks = 0; ; checks++) {
		const delayMs = pollDelayMs(Date.now() - started);
		const left = deadline - Date.now();
		if (checks > 0 && delayMs > left) return { outcome: 'timeout', timedOut: true };
		await sleep(Math.max(0, Math.min(delayMs, left))); // at least one check, even with a tiny timeout
		try {
			if (deliveryId) {
				const answer = await dingShangRead(ctx, creds, {
					method: 'POST',
					path: `/deliveries/${deliveryId}`,
					signed: { machine_no: s.machineNo },
				});
				const delivery = (answer.data ?? {}) as IDataObject;
				const outcome = outcomeOfStatus(delivery.status);
				if (outcome === 'dispensed' || outcome === 'failed' || outcome === 'timeout') return { outcome, delivery };
				if (outcome === undefined) {
					// Unrecognised status text: the record status is the authority.
					const recordStatus = await readRecordStatus(ctx, creds, s, recordId);
					const fromRecord = outcomeOfStatus(recordStatus);
					if (fromRecord === 'dispensed' || fromRecord === 'failed' || fromRecord === 'timeout') {
						return { outcome: fromRecord, delivery, recordStatus };
					}
				}
			} else {
				const recordStatus = await readRecordStatus(ctx, creds, s, recordId);
				const outcome = outcomeOfStatus(recordStatus);
				if (outcome === 'dispensed' || outcome === 'failed' || outcome === 'timeout') return { outcome, recordStatus };
			}
		} catch (error) {
			if (error instanceof DingShangFailure && error.kind === 'platform') throw error;
			// A transient read failure: keep polling until the deadline.
		}
	}
}

/** Dispenses one record and describes what happened, in the platform's words and ours. */
export async function dispenseRecord(
	ctx: IExecuteFunctions,
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
		base.answer_lost = true;
		base.note =
			'The dispense answer was lost; the record status was read back instead of sending the command again (no double dispense).';
	}
	const deliveryId = sent.delivery?.delivery_id ? String(sent.delivery.delivery_id) : undefined;

	if (!s.waitForResult) {
		const known = outcomeOfStatus(sent.recordStatus);
		const outcome = known === 'dispensed' || known === 'failed' || known === 'timeout' ? known : 'sent';
		return { ...base, outcome, ...explainOutcome(outcome) };
	}
	const result = await waitForOutcome(ctx, creds, s, recordId, deliveryId);
	const merged: IDataObject = { ...base, ...(result.delivery ?? {}) };
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
