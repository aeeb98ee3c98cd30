import type { IDataObject } from 'n8n-workflow';
import { randomBytes } from 'crypto';

import { DingShangFailure } from './failures';
import { ORDER_STATUS_OPTIONS } from './protocol';
import type { DingShangCredentials, RequestContext } from './transport';
import { isRetryable, trySend, tryRead } from './transport';

/** One order of a machine on DingShang: read it (records normalised once), set its status. */

/** The status a record has before any dispense. Protobuf JSON omits an enum's zero value, so it is also what an absent status means. */
export const WAITING = 'WAITING_PICKED_UP';

export interface OrderRecord extends IDataObject {
	id: number | string;
	/** Always set: absent on the platform means WAITING_PICKED_UP. */
	status: string;
	product_id?: number;
	quantity?: number;
	price?: string;
}

export interface Order extends IDataObject {
	/** SUCCESS, REFUND, NOTPAY, PICKUPCODE…; absent when the platform left it out. */
	status?: string;
	trade_id?: string;
	records: OrderRecord[];
}

export interface OrderRef {
	machineNo: string;
	orderId: string;
}

export type OrderRead = { ok: true; order: Order } | { ok: false; failure: DingShangFailure };

function normalised(data: unknown): Order {
	const order = (data && typeof data === 'object' ? data : {}) as IDataObject;
	const records = Array.isArray(order.records) ? (order.records as IDataObject[]) : [];
	return { ...order, records: records.map((r) => ({ ...r, id: r.id as number | string, status: typeof r.status === 'string' && r.status !== '' ? r.status : WAITING })) } as Order;
}

/** `POST /orders/{order_id}` (signed), retried through transient faults; a failure is returned, not thrown. */
export async function tryGetOrder(ctx: RequestContext, creds: DingShangCredentials, ref: OrderRef): Promise<OrderRead> {
	const read = await tryRead(ctx, creds, { method: 'POST', path: `/orders/${ref.orderId}`, signed: { machine_no: ref.machineNo } });
	return read.ok ? { ok: true, order: normalised(read.envelope.data) } : read;
}

/** `tryGetOrder` that throws the failure. */
export async function getOrder(ctx: RequestContext, creds: DingShangCredentials, ref: OrderRef): Promise<Order> {
	const read = await tryGetOrder(ctx, creds, ref);
	if (!read.ok) throw read.failure;
	return read.order;
}

export type RecordRead = { ok: true; status: string } | { ok: false; failure: DingShangFailure };

/** One record's status, read from its order; a failed read (or a record not in the order) is returned. */
export async function readRecordStatus(ctx: RequestContext, creds: DingShangCredentials, ref: OrderRef, recordId: string): Promise<RecordRead> {
	const read = await tryGetOrder(ctx, creds, ref);
	if (!read.ok) return read;
	const record = read.order.records.find((r) => String(r.id) === recordId);
	if (!record) {
		return { ok: false, failure: new DingShangFailure('platform', `Record ${recordId} is not part of order ${ref.orderId}`, { code: 4004 }) };
	}
	return { ok: true, status: record.status };
}

/** Status number of Update Order (1 Paid, 2 Refund, …) → the platform's name (SUCCESS, REFUND, …). */
export const platformStatusOf = (status: number): string | undefined => ORDER_STATUS_OPTIONS.find((o) => o.value === status)?.platform;

export interface StatusChange extends OrderRef {
	status: number;
}

/**
 * Reads the order, then sets the status unless it already has it. `changed: false` means nothing
 * was sent (or a copy of this execution elsewhere set it between our read and update), so a result
 * handled before stops before its refund step. A failed read throws: nothing is sent.
 */
export async function setOrderStatus(
	ctx: RequestContext,
	creds: DingShangCredentials,
	change: StatusChange,
): Promise<{ changed: boolean; previous: string | undefined; wanted: string | undefined }> {
	const wanted = platformStatusOf(change.status);
	const previous = (await getOrder(ctx, creds, change)).status;
	const changed = previous !== wanted && (await updateOrder(ctx, creds, change));
	return { changed, previous, wanted };
}

/**
 * `PUT /orders/{order_id}` without reading first; `false` when another execution set it first.
 * When the answer is lost (timeout, reset, 5xx page) or the platform refuses (e.g. 6049 "already
 * paid": a copy of this execution on another worker paid it between our read and our update), the
 * order is read back: if it has the wanted status the work is done; a lost answer is otherwise
 * sent once more.
 */
export async function updateOrder(ctx: RequestContext, creds: DingShangCredentials, change: StatusChange): Promise<boolean> {
	const request = {
		method: 'PUT' as const,
		path: `/orders/${change.orderId}`,
		signed: { machine_no: change.machineNo, status: String(change.status) },
	};
	const wanted = platformStatusOf(change.status);
	for (let attempt = 1; ; attempt++) {
		const sent = await trySend(ctx, creds, request);
		if (sent.ok) return true;
		const refused = sent.failure.kind === 'platform';
		if (!refused && (!isRetryable(sent.failure) || attempt >= 3)) throw sent.failure;
		const read = await tryGetOrder(ctx, creds, change);
		const status = read.ok ? read.order.status : undefined;
		if (status === wanted) return !refused; // lost answer: it was ours; refusal: another execution's
		if (refused || status === undefined) throw sent.failure;
	}
}

/** Adds `machine_no=<machine>` to a notify URL's query (before any #fragment) unless it has one: DingShang's result names the order, not the machine. */
export function withMachineNo(url: string, machine: string): string {
	if (new URL(url).searchParams.has('machine_no')) return url;
	const hash = url.indexOf('#');
	const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
	const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
	return `${base}${separator}machine_no=${machine}${fragment}`;
}

/** A trade_id for an order whose workflow gave none: 28 characters, unique enough. */
export function generatedTradeId(): string {
	return `n8n${Date.now()}${randomBytes(6).toString('hex')}`;
}
