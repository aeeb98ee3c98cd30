import type { ORDER_STATUS_OPTIONS, RecordStatus } from '../nodes/shared/protocol';

/** The sandbox's data: machines, orders with their records, deliveries, and the seed. */

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
	/** Virtual instant the dispense ended (success, failure or timeout); for the bench's ideal schedule. */
	ended_at?: number;
}

export interface NewOrder {
	machine_no: string;
	trade_id: string;
	notify_url?: string;
	products: Array<{ product_id: number; quantity: number }>;
}

/** Dwell seconds by channel type (docs: lock 15, motor 30, conveyor 90, anything else 45). */
export const DWELL_SECONDS: Record<MachineType, number> = { electronic_lock: 15, motor: 30, conveyor: 90, other: 45, drink: 45 };

/** [machine_no, type, dwell seconds, online] */
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

export function newMachine(machine_no: string, type: MachineType, online = true, stock = SEED_STOCK): Machine {
	return { machine_no, type, dwell_seconds: DWELL_SECONDS[type], online, products: SEED_PRODUCTS.map((p) => ({ ...p, stock })) };
}

export function seedMachines(): Machine[] {
	return SEED_MACHINES.map(([machine_no, type, dwell_seconds, online]) => ({ ...newMachine(machine_no, type, online), dwell_seconds }));
}

export const money = (cents: number): string => (cents / 100).toFixed(2);
