import { CALLBACK_METHOD, MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE } from '../nodes/shared/protocol';
import { formatDateTime } from './clock';
import { DELIVERY_STATUS_TEXT, DISPENSE_MAX_MS, DISPENSE_MIN_MS, NO_REPORT_TIMEOUT_MS, TIMEOUT_FAIL_REASON, UNPAID_MESSAGE } from './constants';
import { ApiError } from './envelope';
import type { DeviceFault } from './faults';
import type { Delivery, Machine, Order, OrderRecord } from './model';
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
		const { clock, faults, scheduler, log } = state.deps;
		const order = state.findOrder(machine, orderId);
		const record = order.records.find((r) => r.id === recordId);
		if (!record) throw new ApiError(4004, 'record not found');
		if (order.expired) throw new ApiError(6042, 'order expired');
		// Seed 003's failure example: code 0, a message, empty data — and no delivery_id.
		if (order.status !== 'SUCCESS' && order.status !== 'PICKUPCODE') throw new ApiError(0, UNPAID_MESSAGE);
		if (record.status !== 'WAITING_PICKED_UP') throw new ApiError(6034, 'order already delivered');
		if (state.isLocked(machine)) throw new ApiError(MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE);

		const now = clock.now();
		const delivery: Delivery = {
			// 16 digits like the docs' example; unique by sequence, random-looking by the low digits.
			delivery_id: String(5121763040000000 + this.nextSeq++ * 1000 + Math.floor(Math.random() * 1000)),
			machine_no: machine.machine_no,
			order_id: order.order_id,
			record_id: record.id,
			status: DELIVERY_STATUS_TEXT.delivering,
			delivered_at: now,
		};
		state.deliveries.set(delivery.delivery_id, delivery);
		machine.lockedUntil = now + machine.dwell_seconds * 1000;
		machine.activeDelivery = delivery.delivery_id;
		record.status = 'IS_DELIVERING';
		record.dispense_count += 1;

		const fault = faults.takeDevice(machine.machine_no);
		const label = `dispense ${delivery.delivery_id}`;
		if (fault?.kind === 'deviceSilent') {
			log(`machine ${machine.machine_no} will not report ${label} (fault)`);
			scheduler.after(NO_REPORT_TIMEOUT_MS, `${label} timeout`, () => this.timeOut(machine, order, record, delivery, now + NO_REPORT_TIMEOUT_MS));
		} else {
			const duration = DISPENSE_MIN_MS + Math.random() * (DISPENSE_MAX_MS - DISPENSE_MIN_MS);
			scheduler.after(duration, label, () => this.finish(machine, order, record, delivery, now + duration, fault));
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

	/** `endsAt`: the planned virtual end (the clock may have been pushed past it). */
	private finish(machine: Machine, order: Order, record: OrderRecord, delivery: Delivery, endsAt: number, fault?: DeviceFault): void {
		if (record.status !== 'IS_DELIVERING') return;
		this.unlock(machine, delivery);
		delivery.ended_at = endsAt;
		const failed = fault?.kind === 'deliveryFail';
		const errorMsg = failed ? (fault.errorMsg ?? '') : '';
		if (failed) {
			record.status = 'IS_FAILED';
			delivery.status = DELIVERY_STATUS_TEXT.failed;
			delivery.fail_reason = errorMsg;
		} else {
			record.status = 'IS_SUCCESS';
			// One command drops one item, except drink machines which drop the whole quantity.
			record.dropped = machine.type === 'drink' ? record.quantity : 1;
			delivery.status = DELIVERY_STATUS_TEXT.success;
			delivery.pickup_at = this.state.deps.clock.now();
		}
		this.state.deps.log(`machine ${machine.machine_no} ${delivery.status}: record ${record.id} (delivery ${delivery.delivery_id})`);
		this.state.deps.callbacks.push(order.notify_url, {
			deliver_status: failed ? '0' : '1',
			error_msg: errorMsg,
			floor_status: failed ? (fault.floorStatus ?? '2') : '1',
			method: CALLBACK_METHOD,
			order_id: order.order_id,
			record_id: record.id,
		});
	}

	/** 120 s without a report: the platform resets the dispense and pushes a timeout result. */
	private timeOut(machine: Machine, order: Order, record: OrderRecord, delivery: Delivery, endsAt: number): void {
		if (record.status !== 'IS_DELIVERING') return;
		this.unlock(machine, delivery);
		record.status = 'IS_TIMEOUT';
		delivery.ended_at = endsAt;
		delivery.status = DELIVERY_STATUS_TEXT.timeout;
		delivery.fail_reason = TIMEOUT_FAIL_REASON;
		this.state.deps.log(`machine ${machine.machine_no} never reported record ${record.id}: ${delivery.status}`);
		this.state.deps.callbacks.push(order.notify_url, {
			deliver_status: '0',
			error_msg: TIMEOUT_FAIL_REASON,
			method: CALLBACK_METHOD,
			order_id: order.order_id,
			record_id: record.id,
			status: 'IS_TIMEOUT',
		});
	}
}
