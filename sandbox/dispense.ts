import { CALLBACK_METHOD, MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE } from '../nodes/shared/dingshang/protocol';
import { formatDateTime } from './clock';
import { DELIVERY_STATUS_TEXT, DISPENSE_MAX_MS, DISPENSE_MIN_MS, NO_REPORT_TIMEOUT_MS, TIMEOUT_FAIL_REASON, UNPAID_MESSAGE } from './constants';
import { ApiError } from './envelope';
import type { DeviceFault } from './faults';
import type { Delivery, Machine, Order, OrderRecord, Product } from './model';
import type { SandboxState } from './state';

/** Put / get delivery, the machine lock, and the end of each dispense (result, unlock, push). */
export class Dispenser {
	private nextSeq = 1;

	constructor(private readonly state: SandboxState) {}

	reset(): void {
		this.nextSeq = 1;
	}

	/** Put delivery (seed 003): checks in the order a client can act on, then starts the dispense. */
	put(machine: Machine, orderId: number, recordId: number): Delivery {
		const { state } = this;
		const order = state.findOrder(machine, orderId);
		const record = order.records.find((r) => r.id === recordId);
		if (!record) throw new ApiError(4004, 'record not found');
		if (order.expired) throw new ApiError(6042, 'order expired');
		// Seed 003's failure example: code 0, a message, empty data — and no delivery_id.
		if (order.status !== 'SUCCESS' && order.status !== 'PICKUPCODE') throw new ApiError(0, UNPAID_MESSAGE);
		if (record.status !== 'WAITING_PICKED_UP') throw new ApiError(6034, 'order already delivered');
		if (state.isLocked(machine)) throw new ApiError(MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE);

		record.status = 'IS_DELIVERING';
		record.dispense_count += 1;
		return this.start(machine, { order, record, product: state.product(machine, record.product_id) });
	}

	/**
	 * Test dispense (POST /deliveries/debug): one item from a channel, no order. Same lock, life
	 * cycle and push; the item leaves the stock at the command, like an order's line at creation.
	 */
	debug(machine: Machine, channelName: string, notifyUrl?: string): Delivery {
		const product = machine.products.find((p) => p.channel === channelName);
		if (!product) {
			const cabinetKnown = machine.products.some((p) => p.cabinet === channelName.slice(0, 1));
			throw cabinetKnown ? new ApiError(4004, `channel not found: ${channelName}`) : new ApiError(6038, 'cabinet not exists');
		}
		if (product.stock < 1) throw new ApiError(60003, `库存不足 (channel ${channelName} is empty)`);
		if (this.state.isLocked(machine)) throw new ApiError(MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE);
		product.stock -= 1;
		return this.start(machine, { product, notifyUrl, channelName });
	}

	/** Locks the machine and schedules the end of the dispense (report, or silence and timeout). */
	private start(machine: Machine, job: Omit<Job, 'delivery'>): Delivery {
		const { clock, faults, scheduler, log } = this.state.deps;
		const now = clock.now();
		const delivery: Delivery = {
			// 16 digits like the docs' example; unique by sequence, random-looking by the low digits.
			delivery_id: String(5121763040000000 + this.nextSeq++ * 1000 + Math.floor(Math.random() * 1000)),
			machine_no: machine.machine_no,
			order_id: job.order?.order_id ?? 0,
			record_id: job.record?.id ?? 0,
			channel_name: job.channelName,
			status: DELIVERY_STATUS_TEXT.delivering,
			delivered_at: now,
		};
		this.state.deliveries.set(delivery.delivery_id, delivery);
		machine.lockedUntil = now + machine.dwell_seconds * 1000;
		machine.activeDelivery = delivery.delivery_id;
		const full: Job = { ...job, delivery };

		// A queued fault wins; otherwise a channel set faulty (admin API) fails every dispense from it.
		const fault = faults.takeDevice(machine.machine_no) ?? channelFault(machine, job.product);
		const label = `dispense ${delivery.delivery_id}`;
		if (fault?.kind === 'deviceSilent') {
			log(`machine ${machine.machine_no} will not report ${label} (fault)`);
			scheduler.after(NO_REPORT_TIMEOUT_MS, `${label} timeout`, () => this.timeOut(machine, full, now + NO_REPORT_TIMEOUT_MS));
		} else {
			const duration = DISPENSE_MIN_MS + Math.random() * (DISPENSE_MAX_MS - DISPENSE_MIN_MS);
			scheduler.after(duration, label, () => this.finish(machine, full, now + duration, fault));
		}
		return delivery;
	}

	find(machine: Machine, deliveryId: string): Delivery {
		const delivery = this.state.deliveries.get(deliveryId);
		if (!delivery || delivery.machine_no !== machine.machine_no) throw new ApiError(404, 'delivery not found');
		return delivery;
	}

	view(delivery: Delivery, withId: boolean): Record<string, unknown> {
		return {
			delivery_id: withId ? delivery.delivery_id : undefined,
			delivered_at: formatDateTime(delivery.delivered_at),
			status: delivery.status,
			pickup_at: delivery.pickup_at === undefined ? undefined : formatDateTime(delivery.pickup_at),
			fail_reason: delivery.fail_reason,
		};
	}

	private unlock(machine: Machine, delivery: Delivery): void {
		if (machine.activeDelivery !== delivery.delivery_id) return;
		machine.lockedUntil = undefined;
		machine.activeDelivery = undefined;
	}

	/** True once the dispense has ended (success, failure or timeout): later events change nothing. */
	private ended(job: Job): boolean {
		return job.record ? job.record.status !== 'IS_DELIVERING' : job.delivery.ended_at !== undefined;
	}

	/** `endsAt`: the planned virtual end (the clock may have been pushed past it). */
	private finish(machine: Machine, job: Job, endsAt: number, fault?: DeviceFault): void {
		if (this.ended(job)) return;
		const { record, delivery } = job;
		this.unlock(machine, delivery);
		delivery.ended_at = endsAt;
		const failed = fault?.kind === 'deliveryFail';
		const errorMsg = failed ? (fault.errorMsg ?? '') : '';
		if (failed) {
			if (record) record.status = 'IS_FAILED';
			delivery.status = DELIVERY_STATUS_TEXT.failed;
			delivery.fail_reason = errorMsg;
		} else {
			if (record) {
				record.status = 'IS_SUCCESS';
				// One command drops one item, except drink machines which drop the whole quantity.
				record.dropped = machine.type === 'drink' ? record.quantity : 1;
			}
			delivery.status = DELIVERY_STATUS_TEXT.success;
			delivery.pickup_at = this.state.deps.clock.now();
		}
		this.state.deps.log(`machine ${machine.machine_no} ${delivery.status}: ${what(job)} (delivery ${delivery.delivery_id})`);
		this.state.deps.callbacks.push(notifyUrlOf(job), {
			deliver_status: failed ? '0' : '1',
			error_msg: errorMsg,
			floor_status: failed ? (fault.floorStatus ?? '2') : '1',
			method: CALLBACK_METHOD,
			...target(job),
		});
	}

	/** 120 s without a report: the platform resets the dispense and pushes a timeout result. */
	private timeOut(machine: Machine, job: Job, endsAt: number): void {
		if (this.ended(job)) return;
		const { record, delivery } = job;
		this.unlock(machine, delivery);
		if (record) record.status = 'IS_TIMEOUT';
		delivery.ended_at = endsAt;
		delivery.status = DELIVERY_STATUS_TEXT.timeout;
		delivery.fail_reason = TIMEOUT_FAIL_REASON;
		this.state.deps.log(`machine ${machine.machine_no} never reported ${what(job)}: ${delivery.status}`);
		this.state.deps.callbacks.push(notifyUrlOf(job), {
			deliver_status: '0',
			error_msg: TIMEOUT_FAIL_REASON,
			method: CALLBACK_METHOD,
			...target(job),
			status: 'IS_TIMEOUT',
		});
	}
}

/** One dispense in progress: an order's record, or a test dispense of one channel. */
interface Job {
	delivery: Delivery;
	product: Product;
	order?: Order;
	record?: OrderRecord;
	/** Test dispense only (an order dispense pushes to its order's notify_url). */
	notifyUrl?: string;
	channelName?: string;
}

const notifyUrlOf = (job: Job): string | undefined => (job.order ? job.order.notify_url : job.notifyUrl);
const what = (job: Job): string => (job.record ? `record ${job.record.id}` : `test dispense of ${job.channelName}`);

/** The push's ids: the order's, or for a test dispense 0 / 0 (Go zero values) plus the channel. */
function target(job: Job): Record<string, unknown> {
	if (job.order && job.record) return { order_id: job.order.order_id, record_id: job.record.id };
	return { order_id: 0, record_id: 0, channel_name: job.channelName };
}

/** error_msg a faulty channel reports (3 + "Slave Comm Error" is the docs' own example). */
const CHANNEL_ERROR_MSG: Record<string, string> = { '0': 'Slot Invalid', '2': 'Goods are Stuck', '3': 'Slave Comm Error', '47': 'Slave Comm Error' };

function channelFault(machine: Machine, product: Product): DeviceFault | undefined {
	if (product.floor_status === '1') return undefined;
	const floorStatus = product.floor_status;
	return { id: 0, kind: 'deliveryFail', count: 1, machineNo: machine.machine_no, floorStatus, errorMsg: CHANNEL_ERROR_MSG[floorStatus] };
}
