import { ApiError, invalidParams } from './envelope';
import { money, type Machine, type MachineType, type Product } from './model';
import { intInRange, optionalText, readFlag } from './params';
import type { SandboxState } from './state';

/** Read-only views: the merchant's machines, one machine, its channels, products and categories. */

/** `notify_message` of every machine (the docs list the field without saying what it holds). */
export const NOTIFY_MESSAGE = '欢迎光临 Welcome';
const CURRENCY = { id: 1, name: '人民币', code: 'CNY', symbol: '¥' };
/** model.id by the sandbox's channel type (the docs give no ids; these are ours). */
const MODEL_ID: Record<MachineType, number> = { electronic_lock: 11, motor: 12, conveyor: 13, other: 14, drink: 15 };
/** machine_type 1 = vending machine (售卖机): every sandbox machine is one. */
const VENDING = 1;

/** POST /rent/machines: every machine of the merchant, offline ones too. */
export function listMachines(state: SandboxState): unknown[] {
	const machines = [...state.machines.values()];
	if (machines.length === 0) throw new ApiError(30001, '没有设备 (no machines)');
	return machines.map((m) => ({
		machine_name: m.name,
		machine_no: m.machine_no,
		is_online: m.online,
		status: true, // operating (营业中): the dashboard switch the sandbox never turns off
		address: m.address,
		notify_message: NOTIFY_MESSAGE,
		lng_lat: m.lng_lat,
		created_at: m.created_at,
		contact: m.contact,
		tel: m.tel,
	}));
}

/** POST /rent/machines/{machine_no}: unknown 6026, offline 30002 (the older table, as the page shows). */
export function machineDetail(state: SandboxState, machineNo: string): unknown {
	const m = state.machines.get(machineNo);
	if (!m) throw new ApiError(6026, 'machine not found');
	if (!m.online) throw new ApiError(30002, '设备离线');
	const categoryIds = new Set(m.products.map((p) => p.category_id));
	return {
		machine_name: m.name,
		address: m.address,
		lng_lat: m.lng_lat,
		is_online: m.online,
		model: { id: MODEL_ID[m.type], cabinet_names: [...new Set(m.products.map((p) => p.cabinet))].sort() },
		machine_type: VENDING,
		cover_image: `https://sandbox.invalid/machines/${m.machine_no}.jpg`,
		categories: state.categories.filter((c) => categoryIds.has(c.id)).map((c) => ({ id: c.id, title: c.title })),
		announcement: { title: `${m.name} 欢迎您` },
		currency: { ...CURRENCY },
	};
}

function goodView(p: Product): Record<string, unknown> {
	const g = p.good;
	return {
		id: g.id,
		name: p.name,
		description: g.description,
		thumb: g.thumb,
		price: money(p.priceCents),
		original_price: money(g.originalPriceCents),
		content: g.content,
		good_no: g.good_no,
		slug: g.slug,
	};
}

function channelView(p: Product, withId: boolean): Record<string, unknown> {
	return {
		id: withId ? p.channel_id : undefined,
		name: p.channel,
		cabinet_name: p.cabinet,
		code: String(p.x).padStart(2, '0'),
		x: p.x,
		y: p.y,
		addr: p.addr,
	};
}

const byChannel = (a: Product, b: Product): number => a.cabinet.localeCompare(b.cabinet) || a.x - b.x || a.y - b.y;

/** POST /floors: every channel with its state, product, stock and capacity. */
export function floors(machine: Machine): unknown[] {
	return [...machine.products].sort(byChannel).map((p) => ({
		floor_status: p.floor_status,
		good: goodView(p),
		channel: channelView(p, true),
		current_inventory: p.stock,
		inventory: p.capacity,
	}));
}

/**
 * POST /products. Filters: category_id ("0" all), cabinet_name or addr (not both: 4003). Paged
 * unless select_all is "1". No match at all → `[]` itself, not the paged object (the docs' quirk).
 */
export function products(state: SandboxState, machine: Machine, params: Record<string, unknown>): unknown {
	const page = intInRange(params.page, 'page', 1, 100000, 1);
	const perPage = intInRange(params.per_page, 'per_page', 1, 1000, 10);
	const categoryId = intInRange(params.category_id, 'category_id', 0, 999999, 0);
	const all = readFlag(params.select_all, 'select_all', false);
	const cabinet = optionalText(params.cabinet_name);
	const addr = optionalText(params.addr);
	if (cabinet !== undefined && addr !== undefined) throw invalidParams('cabinet_name and addr cannot be used together');
	if (cabinet !== undefined && !/^[A-Z]$/.test(cabinet)) throw invalidParams('cabinet_name must be one letter A–Z');
	if (addr !== undefined && !/^[1-8]$/.test(addr)) throw invalidParams('addr must be "1"–"8"');

	const wanted = (p: Product): boolean =>
		(categoryId === 0 || p.category_id === categoryId) && (cabinet === undefined || p.cabinet === cabinet) && (addr === undefined || p.addr === addr);
	const rows = [...machine.products].sort(byChannel).filter(wanted);
	if (rows.length === 0) return [];
	const size = all ? rows.length : perPage;
	const current = all ? 1 : page;
	const category = (id: number) => state.categories.find((c) => c.id === id);
	return {
		data: rows.slice((current - 1) * size, current * size).map((p) => ({
			id: p.product_id,
			category: { id: p.category_id, title: category(p.category_id)?.title },
			good: goodView(p),
			channel: channelView(p, false),
			current_inventory: p.stock,
			inventory: p.capacity,
		})),
		total: rows.length,
		current_page: current,
		last_page: Math.ceil(rows.length / size),
		per_page: size,
	};
}

/** POST /categories: the merchant's categories, hidden ones too (is_visible left out when false). */
export function categories(state: SandboxState): unknown[] {
	return [...state.categories].sort((a, b) => a.sort_id - b.sort_id).map((c) => ({ ...c }));
}
