import type { IDataObject } from 'n8n-workflow';

import { CALLBACK_METHOD, explainOutcome, FLOOR_STATUS, refundKeyFor } from '../shared/dingshang/protocol';

export type CallbackEvent = 'delivery.succeeded' | 'delivery.failed' | 'delivery.timeout' | 'other';

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	return typeof value === 'string' ? value : String(value);
}

function int(value: unknown): number | null {
	const n = typeof value === 'number' ? value : Number(text(value));
	return Number.isInteger(n) ? n : null;
}

/**
 * Classifies one callback. Only `device.delivery.response` bodies are deliveries; a push without
 * a documented shape (order expiry, …) is `other`, never dropped. The timeout push is
 * undocumented: we recognise `status: IS_TIMEOUT` or an `error_msg` of "timeout"/"超时".
 */
export function classifyCallback(raw: IDataObject): CallbackEvent {
	if (text(raw.method) !== CALLBACK_METHOD || isTestDispense(raw)) return 'other';
	const deliverStatus = text(raw.deliver_status);
	const errorMsg = text(raw.error_msg) ?? '';
	if (text(raw.status) === 'IS_TIMEOUT' || /^\s*timeout\s*$|超时/i.test(errorMsg)) return 'delivery.timeout';
	if (deliverStatus === '1') return 'delivery.succeeded';
	if (deliverStatus === '0') return 'delivery.failed';
	return 'other';
}

/** A positive whole number (as JSON number or decimal string), the only valid order / record id. */
function isPositiveId(value: unknown): boolean {
	if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0;
	return typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value.trim()) && Number.isSafeInteger(Number(value));
}

/**
 * A Test Dispense result (`/deliveries/debug`, undocumented): no order behind it — order and record
 * id both 0, or both absent with a `channel_name` (the sandbox's shape). An `other` event, never a
 * refund case.
 */
function isTestDispense(raw: IDataObject): boolean {
	const id = (value: unknown) => (value === undefined || value === null ? '' : String(value).trim());
	const [order, record] = [id(raw.order_id), id(raw.record_id)];
	if (order === '0' && record === '0') return true;
	return (order === '' || order === '0') && (record === '' || record === '0') && text(raw.channel_name) !== undefined;
}

/**
 * Why a body that says it is a delivery result cannot be one, or undefined when it can. A result
 * with a missing, negative, fractional or non-numeric order or record id would send the refund
 * branch after an order that does not exist, so it is refused before it is classified.
 */
export function malformedDeliveryResult(raw: IDataObject): string | undefined {
	if (text(raw.method) !== CALLBACK_METHOD || isTestDispense(raw)) return undefined;
	for (const field of ['order_id', 'record_id'] as const) {
		if (!isPositiveId(raw[field])) return `A delivery result needs ${field} as a positive whole number`;
	}
	return undefined;
}

/**
 * The item the trigger emits (node version 1.1): the platform's fields under the platform's names,
 * as Put Delivery outputs them, and the same own fields (`outcome` with Put Delivery's values,
 * `success`, `reason` / `reasonZh`, `refund_key`), so one IF expression works after either node. `machine_no`
 * comes from the Notify URL (Create Order adds it); `receivedAt` is ISO 8601 in UTC.
 */
export function normalizeCallback(raw: IDataObject, receivedAt: Date, query: IDataObject = {}): IDataObject {
	const event = classifyCallback(raw);
	const floorStatus = text(raw.floor_status) ?? null;
	const errorMsg = text(raw.error_msg) ?? '';
	const channel = floorStatus === null ? undefined : FLOOR_STATUS[floorStatus];
	const outcome = event === 'delivery.succeeded' ? 'dispensed' : event === 'delivery.failed' ? 'failed' : event === 'delivery.timeout' ? 'timeout' : 'other';
	const explained = explainOutcome(outcome, floorStatus ?? undefined, errorMsg);
	const machine = text(query.machine_no);
	return {
		event,
		outcome,
		success: event === 'delivery.succeeded',
		machine_no: machine && /^\d{8,}$/.test(machine) ? machine : null,
		order_id: int(raw.order_id),
		record_id: int(raw.record_id),
		deliver_status: text(raw.deliver_status) ?? null,
		floor_status: floorStatus,
		channelStatus: channel?.en ?? null,
		channelStatusZh: channel?.zh ?? null,
		error_msg: errorMsg,
		reason: explained.reason ?? null,
		reasonZh: explained.reasonZh ?? null,
		refund_key: refundKeyFor(outcome, raw.order_id, raw.record_id),
		receivedAt: receivedAt.toISOString(),
		query,
		raw,
	};
}

/** The item of node version 1 (saved workflows use these names). */
export function legacyItem(item: IDataObject): IDataObject {
	return {
		event: item.event,
		orderId: item.order_id,
		recordId: item.record_id,
		success: item.success,
		deliverStatus: item.deliver_status,
		floorStatus: item.floor_status,
		floorStatusText: item.channelStatus,
		floorStatusTextZh: item.channelStatusZh,
		errorMsg: item.error_msg,
		reason: item.reason,
		reasonZh: item.reasonZh,
		refundKey: item.refund_key,
		receivedAt: item.receivedAt,
		query: item.query,
		raw: item.raw,
		...(item.signatureVerified ? { signatureVerified: true } : {}),
	};
}

/** What makes two callbacks "the same result" for deduplication. */
export function dedupeKey(raw: IDataObject): string {
	return [text(raw.method), text(raw.order_id), text(raw.record_id), text(raw.deliver_status), text(raw.status)]
		.map((part) => part ?? '')
		.join('|');
}

export { rememberedId } from '../shared/common/dedupe';
