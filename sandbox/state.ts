import {
	CALLBACK_METHOD,
	MACHINE_BUSY_CODE,
	MACHINE_BUSY_MESSAGE,
	ORDER_STATUS_OPTIONS,
	type RecordStatus,
} from '../nodes/shared/protocol';
import type { CallbackDispatcher } from './callbacks';
import { formatDate, formatDateTime, isoTime, type Scheduler, type VirtualClock } from './clock';
import {
	DELIVERY_STATUS_TEXT,
	DISPENSE_MAX_MS,
	DISPENSE_MIN_MS,
	NO_REPORT_TIMEOUT_MS,
	ORDER_EXPIRED_METHOD,
	ORDER_TTL_MS,
	TIMEOUT_FAIL_REASON,
	UNPAID_MESSAGE,
} from './constants';
import { ApiError } from './envelope';
import type { DeviceFault, FaultQueue } from './faults';

export type MachineType = 'electronic_lock' | 'motor' | 'conveyor' | 'other' | 'drink';
export type OrderStatus = (typeof ORDER_STATUS_OPTIONS)[number]['platform'] | 'NOTPAY' | 'PICKUPCODE' | 'TESTPAY';

export interface Product {
	product_id: number;
	name: string;
	priceCents: number;
	stock: number;
	channel: string;
}

export interface Machine {
	machine_no: string;
	type: MachineType;
	dwell_seconds: number;
	online: boolean;
	/** Virtual instant the dwell lock ends; cleared as soon as the dispense reports. */
	lockedUntil?: number;
	activeDelivery?: string;
	products: Product[];
}

export interface OrderRecord {
	id: number;
	product_id: number;
	quantity: number;
	priceCents: number;
	status: RecordStatus;
	dispense_count: number;
	dropped: number;
	/** True while this record's quantity is taken from the machine's stock. */
	stockHeld: boolean;
}

export interface Order {
	order_id: number;
	trade_id: string;
	machine_no: string;
	notify_url?: string;
	status: OrderStatus;
	expired: boolean;
	created_at: number;
	expires_at: number;
	records: OrderRecord[];
}

export interface Delivery {
	delivery_id: string;
	machine_no: string;
	order_id: number;
	record_id: number;
	status: string;
	delivered_at: number;
	pickup_at?: number;
	fail_reason?: string;
}

export interface NewOrder {
	machine_no: string;
	trade_id: string;
	notify_url?: string;
	products: Array<{ product_id: number; quantity: number }>;
}

interface Deps {
	clock: VirtualClock;
	scheduler: Scheduler;
	faults: FaultQueue;
	callbacks: CallbackDispatcher;
	log: (line: string) => void;
}

const SEED_MACHINES: Array<[string, MachineType, number, boolean]> = [
	['10000001', 'electronic_lock', 15, true],
	['10000002', 'motor', 30, true],
	['10000003', 'conveyor', 90, true],
	['10000004', 'other', 45, true],
	['10000005', 'drink', 45, true],
	['10000009', 'motor', 30, false],
];

const SEED_PRODUCTS = [
	{ product_id: 101, name: '矿泉水 Mineral water', priceCents: 200, channel: 'A1' },
	{ product_id: 102, name: '可乐 Cola', priceCents: 300, channel: 'A2' },
	{ product_id: 103, name: '薯片 Chips', priceCents: 550, channel: 'A3' },
];
const SEED_STOCK = 100;

export const money = (cents: number): string => (cents / 100).toFixed(2);

/** Machines, orders, records and deliveries, with the platform's rules applied to them. */
export class SandboxState {
	machines = new Map<string, Machine>();
	orders = new Map<number, Order>();
	deliveries = new Map<string, Delivery>();
	private nextOrderId = 1000;
	private nextRecordId = 5000;
	private nextDeliverySeq = 1;

	constructor(private readonly deps: Deps) {
		this.reset();
	}

	reset(): void {
		this.machines.clear();
		this.orders.clear();
		this.deliveries.clear();
		this.nextOrderId = 1000;
		this.nextRecordId = 5000;
		this.nextDeliverySeq = 1;
		for (const [machine_no, type, dwell_seconds, online] of SEED_MACHINES) {
			const products = SEED_PRODUCTS.map((p) => ({ ...p, stock: SEED_STOCK }));
			this.machines.set(machine_no, { machine_no, type, dwell_seconds, online, products });
		}
	}

	/** The machine a signed request names, or the platform's 6026 / 4008. */
	machine(machineNo: string): Machine {
		const machine = this.machines.get(machineNo);
		if (!machine) throw new ApiError(6026, 'machine not found');
		if (!machine.online) throw new ApiError(4008, 'machine offline');
		return machine;
	}

	isLocked(machine: Machine): boolean {
		return machine.lockedUntil !== undefined && machine.lockedUntil > this.deps.clock.now();
	}

	createOrder(input: NewOrder): Order {
		const machine = this.machine(input.machine_no);
		if ([...this.orders.values()].some((o) => o.trade_id === input.trade_id)) {
			throw new ApiError(6040, 'trade_id already exists');
		}
		// All lines are checked before any stock is taken, so a refused order changes nothing.
		const wanted = new Map<number, number>();
		for (const line of input.products) {
			if (!machine.products.some((p) => p.product_id === line.product_id)) {
				throw new ApiError(6045, `product not found: ${line.product_id}`);
			}
			wanted.set(line.product_id, (wanted.get(line.product_id) ?? 0) + line.quantity);
		}
		for (const [productId, quantity] of wanted) {
			if (this.product(machine, productId).stock < quantity) {
				throw new ApiError(6047, `inventory not enough: product ${productId}`);
			}
		}
		const now = this.deps.clock.now();
		const order: Order = {
			order_id: this.nextOrderId++,
			trade_id: input.trade_id,
			machine_no: machine.machine_no,
			notify_url: input.notify_url,
			status: 'NOTPAY',
			expired: false,
			created_at: now,
			expires_at: now + ORDER_TTL_MS,
			records: input.products.map((line) => {
				this.product(machine, line.product_id).stock -= line.quantity;
				return {
					id: this.nextRecordId++,
					product_id: line.product_id,
					quantity: line.quantity,
					priceCents: this.product(machine, line.product_id).priceCents * line.quantity,
					status: 'WAITING_PICKED_UP',
					dispense_count: 0,
					dropped: 0,
					stockHeld: true,
				};
			}),
		};
		this.orders.set(order.order_id, order);
		this.deps.scheduler.at(order.expires_at, `order ${order.order_id} expiry`, () => this.expire(order));
		return order;
	}

	/** The order, if it belongs to this machine; otherwise 4004 like the platform. */
	findOrder(machine: Machine, orderId: number): Order {
		const order = this.orders.get(orderId);
		if (!order || order.machine_no !== machine.machine_no) throw new ApiError(4004, 'record not found');
		return order;
	}

	viewOrder(order: Order): Record<string, unknown> {
		return {
			order_id: order.order_id,
			trade_id: order.trade_id,
			date: formatDate(order.created_at),
			amount: money(order.records.reduce((sum, r) => sum + r.priceCents, 0)),
			status: order.status,
			records: order.records.map((r) => ({
				id: r.id,
				product_id: r.product_id,
				quantity: r.quantity,
				price: money(r.priceCents),
				status: r.status,
			})),
		};
	}

	/** Update order (seed 000). `status` is already known to be an integer 1–6. */
	updateOrder(machine: Machine, orderId: number, status: number): void {
		const order = this.findOrder(machine, orderId);
		if (order.expired) throw new ApiError(6042, 'order expired');
		const target = ORDER_STATUS_OPTIONS.find((o) => o.value === status)?.platform as OrderStatus;
		const unpaid = order.status === 'NOTPAY' || order.status === 'USERPAYING';
		if (status === 1) {
			if (order.status === 'SUCCESS') throw new ApiError(6049, 'order paid');
			if (!unpaid) throw new ApiError(6043, 'order status invalid');
			this.retakeStock(machine, order);
		} else if (status === 5 && !unpaid) {
			throw new ApiError(6043, 'order status invalid');
		} else {
			this.returnStock(order);
		}
		order.status = target;
	}

	/** Put delivery (seed 003): checks in the order a client can act on, then starts the dispense. */
	putDelivery(machine: Machine, orderId: number, recordId: number): Delivery {
		const order = this.findOrder(machine, orderId);
		const record = order.records.find((r) => r.id === recordId);
		if (!record) throw new ApiError(4004, 'record not found');
		if (order.expired) throw new ApiError(6042, 'order expired');
		// Seed 003's failure example: code 0, a message, empty data — and no delivery_id.
		if (order.status !== 'SUCCESS' && order.status !== 'PICKUPCODE') throw new ApiError(0, UNPAID_MESSAGE);
		if (record.status !== 'WAITING_PICKED_UP') throw new ApiError(6034, 'order already delivered');
		if (this.isLocked(machine)) throw new ApiError(MACHINE_BUSY_CODE, MACHINE_BUSY_MESSAGE);

		const now = this.deps.clock.now();
		const seq = this.nextDeliverySeq++;
		const delivery: Delivery = {
			delivery_id: String(5121763040000000 + seq * 1000 + Math.floor(Math.random() * 1000)),
			machine_no: machine.machine_no,
			order_id: order.order_id,
			record_id: record.id,
			status: DELIVERY_STATUS_TEXT.delivering,
			delivered_at: now,
		};
		this.deliveries.set(delivery.delivery_id, delivery);
		machine.lockedUntil = now + machine.dwell_seconds * 1000;
		machine.activeDelivery = delivery.delivery_id;
		record.status = 'IS_DELIVERING';
		record.dispense_count += 1;

		const fault = this.deps.faults.takeDevice(machine.machine_no);
		const label = `dispense ${delivery.delivery_id}`;
		if (fault?.kind === 'deviceSilent') {
			this.deps.log(`machine ${machine.machine_no} will not report ${label} (fault)`);
			this.deps.scheduler.after(NO_REPORT_TIMEOUT_MS, `${label} timeout`, () => this.timeOut(machine, order, record, delivery));
		} else {
			const duration = DISPENSE_MIN_MS + Math.random() * (DISPENSE_MAX_MS - DISPENSE_MIN_MS);
			this.deps.scheduler.after(duration, label, () => this.finish(machine, order, record, delivery, fault));
		}
		return delivery;
	}

	findDelivery(machine: Machine, deliveryId: string): Delivery {
		const delivery = this.deliveries.get(deliveryId);
		if (!delivery || delivery.machine_no !== machine.machine_no) throw new ApiError(404, 'delivery not found');
		return delivery;
	}

	viewDelivery(delivery: Delivery, withId: boolean): Record<string, unknown> {
		return {
			delivery_id: withId ? delivery.delivery_id : undefined,
			delivered_at: formatDateTime(delivery.delivered_at),
			status: delivery.status,
			pickup_at: delivery.pickup_at === undefined ? undefined : formatDateTime(delivery.pickup_at),
			fail_reason: delivery.fail_reason,
		};
	}

	snapshot(): Record<string, unknown> {
		const now = this.deps.clock.now();
		return {
			now: isoTime(now),
			machines: [...this.machines.values()].map((m) => ({
				machine_no: m.machine_no,
				type: m.type,
				dwell_seconds: m.dwell_seconds,
				online: m.online,
				locked: this.isLocked(m),
				locked_until: this.isLocked(m) ? isoTime(m.lockedUntil as number) : undefined,
				products: m.products.map((p) => ({
					product_id: p.product_id,
					name: p.name,
					price: money(p.priceCents),
					stock: p.stock,
					channel: p.channel,
				})),
			})),
			orders: [...this.orders.values()].map((o) => ({
				order_id: o.order_id,
				trade_id: o.trade_id,
				machine_no: o.machine_no,
				status: o.status,
				expired: o.expired,
				notify_url: o.notify_url,
				created_at: isoTime(o.created_at),
				expires_at: isoTime(o.expires_at),
				records: o.records.map((r) => ({
					order_id: o.order_id,
					record_id: r.id,
					product_id: r.product_id,
					quantity: r.quantity,
					price: money(r.priceCents),
					status: r.status,
					dispense_count: r.dispense_count,
					dropped: r.dropped,
				})),
			})),
			deliveries: [...this.deliveries.values()].map((d) => ({
				delivery_id: d.delivery_id,
				machine_no: d.machine_no,
				order_id: d.order_id,
				record_id: d.record_id,
				...this.viewDelivery(d, false),
			})),
		};
	}

	private product(machine: Machine, productId: number): Product {
		return machine.products.find((p) => p.product_id === productId) as Product;
	}

	/** Status ≠ 1: the quantity of records not yet dispensed goes back to stock, once. */
	private returnStock(order: Order): void {
		const machine = this.machines.get(order.machine_no) as Machine;
		for (const record of order.records) {
			if (record.status !== 'WAITING_PICKED_UP' || !record.stockHeld) continue;
			this.product(machine, record.product_id).stock += record.quantity;
			record.stockHeld = false;
		}
	}

	/** Paying an order whose stock was returned (status 5 first) takes the stock again. */
	private retakeStock(machine: Machine, order: Order): void {
		const released = order.records.filter((r) => r.status === 'WAITING_PICKED_UP' && !r.stockHeld);
		const wanted = new Map<number, number>();
		for (const r of released) wanted.set(r.product_id, (wanted.get(r.product_id) ?? 0) + r.quantity);
		for (const [productId, quantity] of wanted) {
			if (this.product(machine, productId).stock < quantity) {
				throw new ApiError(6047, `inventory not enough: product ${productId}`);
			}
		}
		for (const r of released) {
			this.product(machine, r.product_id).stock -= r.quantity;
			r.stockHeld = true;
		}
	}

	private expire(order: Order): void {
		if (order.status !== 'NOTPAY' && order.status !== 'USERPAYING') return;
		order.status = 'CLOSED';
		order.expired = true;
		this.returnStock(order);
		this.deps.log(`order ${order.order_id} expired (unpaid for 20 minutes): closed, stock returned`);
		this.deps.callbacks.push(order.notify_url, {
			method: ORDER_EXPIRED_METHOD,
			order_id: order.order_id,
			status: 'CLOSED',
			trade_id: order.trade_id,
		});
	}

	private unlock(machine: Machine, delivery: Delivery): void {
		if (machine.activeDelivery !== delivery.delivery_id) return;
		machine.lockedUntil = undefined;
		machine.activeDelivery = undefined;
	}

	private finish(machine: Machine, order: Order, record: OrderRecord, delivery: Delivery, fault?: DeviceFault): void {
		if (record.status !== 'IS_DELIVERING') return;
		this.unlock(machine, delivery);
		const failed = fault?.kind === 'deliveryFail';
		const floorStatus = failed ? (fault.floorStatus ?? '2') : '1';
		const errorMsg = failed ? (fault.errorMsg ?? '') : '';
		if (failed) {
			record.status = 'IS_FAILED';
			delivery.status = DELIVERY_STATUS_TEXT.failed;
			delivery.fail_reason = errorMsg;
		} else {
			record.status = 'IS_SUCCESS';
			record.dropped = machine.type === 'drink' ? record.quantity : 1;
			delivery.status = DELIVERY_STATUS_TEXT.success;
			delivery.pickup_at = this.deps.clock.now();
		}
		this.deps.log(`machine ${machine.machine_no} ${delivery.status} record ${record.id} (delivery ${delivery.delivery_id})`);
		this.deps.callbacks.push(order.notify_url, {
			deliver_status: failed ? '0' : '1',
			error_msg: errorMsg,
			floor_status: floorStatus,
			method: CALLBACK_METHOD,
			order_id: order.order_id,
			record_id: record.id,
		});
	}

	/** 120 s without a report: the platform resets the dispense and pushes a timeout result. */
	private timeOut(machine: Machine, order: Order, record: OrderRecord, delivery: Delivery): void {
		if (record.status !== 'IS_DELIVERING') return;
		this.unlock(machine, delivery);
		record.status = 'IS_TIMEOUT';
		delivery.status = DELIVERY_STATUS_TEXT.timeout;
		delivery.fail_reason = TIMEOUT_FAIL_REASON;
		this.deps.log(`machine ${machine.machine_no} never reported record ${record.id}: ${delivery.status}`);
		this.deps.callbacks.push(order.notify_url, {
			deliver_status: '0',
			error_msg: TIMEOUT_FAIL_REASON,
			method: CALLBACK_METHOD,
			order_id: order.order_id,
			record_id: record.id,
			status: 'IS_TIMEOUT',
		});
	}
}
