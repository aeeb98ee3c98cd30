import { ORDER_STATUS_OPTIONS } from '../nodes/shared/dingshang/protocol';
import type { CallbackDispatcher } from './callbacks';
import { formatDate, type Scheduler, type VirtualClock } from './clock';
import { ORDER_EXPIRED_METHOD, ORDER_TTL_MS } from './constants';
import { ApiError } from './envelope';
import type { FaultQueue } from './faults';
import {
	money,
	SEED_CATEGORIES,
	seedMachines,
	type Category,
	type Delivery,
	type Machine,
	type NewOrder,
	type Order,
	type OrderStatus,
	type PickupCode,
	type Product,
} from './model';

export interface StateDeps {
	clock: VirtualClock;
	scheduler: Scheduler;
	faults: FaultQueue;
	callbacks: CallbackDispatcher;
	log: (line: string) => void;
}

/** Machines, orders and deliveries, with the platform's order and stock rules. */
export class SandboxState {
	readonly machines = new Map<string, Machine>();
	readonly orders = new Map<number, Order>();
	readonly deliveries = new Map<string, Delivery>();
	readonly pickupCodes = new Map<number, PickupCode>();
	categories: Category[] = [];
	nextPickupCodeId = 1;
	private nextOrderId = 1000;
	private nextRecordId = 5000;

	constructor(readonly deps: StateDeps) {
		this.reset();
	}

	reset(): void {
		this.machines.clear();
		this.orders.clear();
		this.deliveries.clear();
		this.pickupCodes.clear();
		this.categories = SEED_CATEGORIES.map((c) => ({ ...c }));
		this.nextPickupCodeId = 1;
		this.nextOrderId = 1000;
		this.nextRecordId = 5000;
		for (const machine of seedMachines()) this.machines.set(machine.machine_no, machine);
	}

	/** The machine a request names, or the platform's 6026 / 4008. */
	machine(machineNo: string): Machine {
		const machine = this.machines.get(machineNo);
		if (!machine) throw new ApiError(6026, 'machine not found');
		if (!machine.online) throw new ApiError(4008, 'machine offline');
		return machine;
	}

	isLocked(machine: Machine): boolean {
		return machine.lockedUntil !== undefined && machine.lockedUntil > this.deps.clock.now();
	}

	product(machine: Machine, productId: number): Product {
		return machine.products.find((p) => p.product_id === productId) as Product;
	}

	createOrder(input: NewOrder): Order {
		const machine = this.machine(input.machine_no);
		if (this.tradeIdTaken(input.trade_id)) {
			throw new ApiError(6040, 'trade_id already exists');
		}
		// All lines are checked before any stock is taken, so a refused order changes nothing.
		for (const line of input.products) {
			if (!machine.products.some((p) => p.product_id === line.product_id)) {
				throw new ApiError(6045, `product not found: ${line.product_id}`);
			}
		}
		this.checkStock(machine, input.products);
		const order = this.insertOrder(machine, input, 'NOTPAY');
		this.deps.scheduler.at(order.expires_at, `order ${order.order_id} expiry`, () => this.expire(order));
		return order;
	}

	/** Stores an order whose lines are already checked, taking their stock (create order, consume). */
	insertOrder(machine: Machine, input: NewOrder, status: OrderStatus, pickupCodeId?: number): Order {
		const now = this.deps.clock.now();
		const order: Order = {
			order_id: this.nextOrderId++,
			trade_id: input.trade_id,
			machine_no: machine.machine_no,
			notify_url: input.notify_url,
			status,
			expired: false,
			created_at: now,
			expires_at: now + ORDER_TTL_MS,
			pickup_code_id: pickupCodeId,
			records: input.products.map((line) => {
				const product = this.product(machine, line.product_id);
				product.stock -= line.quantity;
				return {
					id: this.nextRecordId++,
					product_id: line.product_id,
					quantity: line.quantity,
					priceCents: product.priceCents * line.quantity,
					status: 'WAITING_PICKED_UP',
					dispense_count: 0,
					dropped: 0,
					stockHeld: true,
				};
			}),
		};
		this.orders.set(order.order_id, order);
		return order;
	}

	tradeIdTaken(tradeId: string): boolean {
		return [...this.orders.values()].some((o) => o.trade_id === tradeId);
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
			pickup_code_id: order.pickup_code_id,
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

	checkStock(machine: Machine, lines: Array<{ product_id: number; quantity: number }>): void {
		const wanted = new Map<number, number>();
		for (const line of lines) wanted.set(line.product_id, (wanted.get(line.product_id) ?? 0) + line.quantity);
		for (const [productId, quantity] of wanted) {
			if (this.product(machine, productId).stock < quantity) {
				throw new ApiError(6047, `inventory not enough: product ${productId}`);
			}
		}
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
		this.checkStock(machine, released);
		for (const r of released) {
			this.product(machine, r.product_id).stock -= r.quantity;
			r.stockHeld = true;
		}
	}

	/** 20 unpaid minutes: the platform closes the order, returns stock and pushes an event. */
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
}
