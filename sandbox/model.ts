import type { ORDER_STATUS_OPTIONS, RecordStatus } from '../nodes/shared/dingshang/protocol';

/** The sandbox's data: machines, orders with their records, deliveries, and the seed. */

export type MachineType = 'electronic_lock' | 'motor' | 'conveyor' | 'other' | 'drink';
export type OrderStatus = (typeof ORDER_STATUS_OPTIONS)[number]['platform'] | 'NOTPAY' | 'PICKUPCODE' | 'TESTPAY';

/** A channel's state (货道状态): 0 no such channel, 1 normal, 2 stuck, 3 motor fault, 47 serial timeout. */
export type FloorStatus = '0' | '1' | '2' | '3' | '47';
export const FLOOR_STATUSES: FloorStatus[] = ['0', '1', '2', '3', '47'];

/** A product placed on one channel of a machine (the docs' product = good + channel + stock). */
export interface Product {
	product_id: number;
	name: string;
	priceCents: number;
	stock: number;
	/** Channel name, cabinet letter + number ("A1"). */
	channel: string;
	channel_id: number;
	cabinet: string;
	/** Board address, "1"–"8" (the /products `addr` filter). */
	addr: string;
	x: number;
	y: number;
	capacity: number;
	floor_status: FloorStatus;
	category_id: number;
	good: Good;
}

/** The merchant's goods-library item behind a product. */
export interface Good {
	id: number;
	description: string;
	thumb: string;
	originalPriceCents: number;
	content: string;
	good_no: string;
	slug: string;
}

export interface Category {
	id: number;
	title: string;
	sort_id: number;
	is_visible: boolean;
}

/** A pickup code (取货码); its status EXPIRED is computed from the virtual clock when read. */
export interface PickupCode {
	id: number;
	machine_no: string;
	product_id: number;
	code: string;
	used: boolean;
	created_at: number;
	expires_at?: number;
	quantity: number;
	/** The PICKUPCODE order the code created, once used. */
	order_id?: number;
}

export interface Machine {
	machine_no: string;
	type: MachineType;
	dwell_seconds: number;
	online: boolean;
	name: string;
	address?: string;
	lng_lat?: string;
	created_at: string;
	contact?: string;
	tel?: string;
	/** The dashboard's pickup-code switch (no API on the platform; admin API here). */
	pickupEnabled: boolean;
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
	/** Set on PICKUPCODE orders made by POST /consumes. */
	pickup_code_id?: number;
}

export interface Delivery {
	delivery_id: string;
	machine_no: string;
	/** 0 for a test dispense (POST /deliveries/debug), which has no order. */
	order_id: number;
	record_id: number;
	/** Test dispense: the channel it drops from. */
	channel_name?: string;
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

/** The seeded machine with a number longer than 8 digits. */
export const SPECIAL_MACHINE = '8600000000000016';

/** [machine_no, type, dwell seconds, online, name, address, lng_lat] */
const SEED_MACHINES: Array<[string, MachineType, number, boolean, string, string, string]> = [
	['10000001', 'electronic_lock', 15, true, '前台格子柜 Lobby lockers', '深圳市南山区科技园 1 号楼大堂', '113.9345,22.5431'],
	['10000002', 'motor', 30, true, '三楼茶水间 Floor 3 pantry', '深圳市南山区科技园 1 号楼 3 楼', '113.9346,22.5432'],
	['10000003', 'conveyor', 90, true, '地铁站 B 口 Metro exit B', '深圳市南山区高新园地铁站 B 口', '113.9446,22.5407'],
	['10000004', 'other', 45, true, '健身房 Gym', '深圳市南山区科技园 2 号楼负一层', '113.9351,22.5428'],
	['10000005', 'drink', 45, true, '操场饮料机 Playground drinks', '深圳市南山区学府路 8 号操场', '113.9301,22.5389'],
	['10000009', 'motor', 30, false, '仓库备用机 Warehouse spare', '深圳市宝安区仓库 3 号', '113.8830,22.5551'],
	// A special merchant's 16-digit number (the docs' own examples use 14 and 16 digits).
	[SPECIAL_MACHINE, 'motor', 30, true, '特殊商户设备 Special-merchant machine', '深圳市福田区会展中心 5 号馆', '114.0593,22.5329'],
];

/** The one seeded machine whose pickup-code switch is off (6031 until switched on). */
export const PICKUP_OFF_MACHINE = '10000004';
const SEED_CREATED_AT = '2024-03-01 10:00:00';

export const SEED_CATEGORIES: Category[] = [
	{ id: 1, title: '饮料 Drinks', sort_id: 1, is_visible: true },
	{ id: 2, title: '零食 Snacks', sort_id: 2, is_visible: true },
	// Hidden and empty: shows is_visible left out (protobuf false) and a filter with no result.
	{ id: 3, title: '季节限定 Seasonal', sort_id: 3, is_visible: false },
];

const SEED_PRODUCTS = [
	{ product_id: 101, name: '矿泉水 Mineral water', priceCents: 200, channel: 'A1', category_id: 1, slug: 'mineral-water', originalPriceCents: 250 },
	{ product_id: 102, name: '可乐 Cola', priceCents: 300, channel: 'A2', category_id: 1, slug: 'cola', originalPriceCents: 350 },
	{ product_id: 103, name: '薯片 Chips', priceCents: 550, channel: 'A3', category_id: 2, slug: 'chips', originalPriceCents: 600 },
];
const SEED_STOCK = 100;
export const SEED_CAPACITY = 120;

function seedProduct(p: (typeof SEED_PRODUCTS)[number], index: number, stock: number): Product {
	const { slug, originalPriceCents, ...rest } = p;
	return {
		...rest,
		stock,
		channel_id: index + 1,
		cabinet: p.channel.slice(0, 1),
		addr: '1',
		x: index + 1,
		y: 1,
		capacity: Math.max(SEED_CAPACITY, stock),
		floor_status: '1',
		good: {
			id: p.product_id + 100, // the goods-library id differs from the product (placement) id
			description: `${p.name}（沙盒商品）`,
			thumb: `https://sandbox.invalid/goods/${slug}.png`,
			originalPriceCents,
			content: `<p>${p.name}</p>`,
			good_no: `G${p.product_id}`,
			slug,
		},
	};
}

/** `count` products 101, 102, … (the seed's three, then more): channels A1… across cabinets A–Z, 10 per cabinet. */
function productsOf(count: number, stock: number): Product[] {
	return Array.from({ length: count }, (_, index) => {
		const seed = SEED_PRODUCTS[index] ?? {
			...SEED_PRODUCTS[index % SEED_PRODUCTS.length],
			product_id: 101 + index,
			name: `商品 ${101 + index} Product ${101 + index}`,
			channel: `${String.fromCharCode(65 + Math.floor(index / 10))}${(index % 10) + 1}`,
			slug: `product-${101 + index}`,
		};
		return seedProduct(seed, index, stock);
	});
}

export function newMachine(machine_no: string, type: MachineType, online = true, stock = SEED_STOCK, productCount = SEED_PRODUCTS.length): Machine {
	return {
		machine_no,
		type,
		dwell_seconds: DWELL_SECONDS[type],
		online,
		name: `沙盒设备 Sandbox ${machine_no}`,
		created_at: SEED_CREATED_AT,
		pickupEnabled: true,
		products: productsOf(productCount, stock),
	};
}

export function seedMachines(): Machine[] {
	return SEED_MACHINES.map(([machine_no, type, dwell_seconds, online, name, address, lng_lat]) => ({
		...newMachine(machine_no, type, online),
		dwell_seconds,
		name,
		address,
		lng_lat,
		contact: '王经理 Manager Wang',
		tel: '13800000000',
		pickupEnabled: machine_no !== PICKUP_OFF_MACHINE,
	}));
}

export const money = (cents: number): string => (cents / 100).toFixed(2);
