import type { IDataObject } from 'n8n-workflow';

import { FLOOR_STATUS } from '../shared/dingshang/protocol';

/**
 * What the Alerts trigger compares between polls, and the alert items it emits. Pure functions:
 * the node reads the platform, these decide what changed.
 */

export type AlertEvent = 'machine.offline' | 'machine.online' | 'channel.fault' | 'channel.cleared' | 'stock.low' | 'stock.restocked';

export const ALERT_EVENTS: Array<{ value: AlertEvent; name: string; description: string }> = [
	{ value: 'machine.offline', name: 'Machine Offline', description: 'A machine stopped answering' },
	{ value: 'machine.online', name: 'Machine Back Online', description: 'An offline machine is back' },
	{ value: 'channel.fault', name: 'Channel Fault', description: 'A channel reports stuck product, motor fault, serial timeout or no channel' },
	{ value: 'channel.cleared', name: 'Channel Fault Cleared', description: 'A faulty channel is normal again' },
	{ value: 'stock.low', name: 'Low Stock', description: 'A channel is at or below the stock threshold' },
	{ value: 'stock.restocked', name: 'Restocked', description: 'A low channel is above the threshold again' },
];

export interface MachineView {
	machine_no: string;
	machine_name: string | null;
	online: boolean;
	/** Channels, only when the machine could be read (online); undefined keeps the last known state. */
	channels?: ChannelView[];
}

export interface ChannelView {
	channel_name: string;
	floor_status: string | null;
	good_id: unknown;
	product_name: string | null;
	stock: number;
	capacity: number;
}

/** The remembered state: per machine online, per channel fault and low stock. Plain JSON. */
export interface AlertState {
	machines: Record<string, { online: boolean; channels: Record<string, { fault: boolean; low: boolean; floor_status: string | null }> }>;
}

export interface Threshold {
	type: 'absolute' | 'percent';
	value: number;
}

export const isFault = (floorStatus: string | null) => floorStatus !== null && floorStatus !== '1';

export function isLow(channel: ChannelView, threshold: Threshold): boolean {
	if (channel.floor_status === '0') return false; // no such channel: nothing to stock
	const limit = threshold.type === 'percent' ? (channel.capacity * threshold.value) / 100 : threshold.value;
	return channel.stock <= limit;
}

/** The state these views describe; channels of machines not read now keep their last state. */
export function stateOf(views: MachineView[], threshold: Threshold, previous?: AlertState): AlertState {
	const state: AlertState = { machines: {} };
	for (const view of views) {
		const known = previous?.machines[view.machine_no]?.channels ?? {};
		const channels: AlertState['machines'][string]['channels'] = {};
		if (view.channels) {
			for (const c of view.channels) channels[c.channel_name] = { fault: isFault(c.floor_status), low: isLow(c, threshold), floor_status: c.floor_status };
		}
		state.machines[view.machine_no] = { online: view.online, channels: view.channels ? channels : known };
	}
	return state;
}

function machineItem(event: AlertEvent, view: MachineView, at: string): IDataObject {
	const name = view.machine_name ?? view.machine_no;
	const [message, messageZh] =
		event === 'machine.offline'
			? [`Machine ${name} (${view.machine_no}) is offline: check its power and network.`, `设备 ${name}（${view.machine_no}）离线，请检查电源和网络。`]
			: [`Machine ${name} (${view.machine_no}) is back online.`, `设备 ${name}（${view.machine_no}）已恢复在线。`];
	return { event, machine_no: view.machine_no, machine_name: view.machine_name, online: view.online, message, messageZh, detectedAt: at };
}

function channelItem(event: AlertEvent, view: MachineView, c: ChannelView, threshold: Threshold, at: string): IDataObject {
	const where = `machine ${view.machine_name ?? view.machine_no} (${view.machine_no}), channel ${c.channel_name}`;
	const whereZh = `设备 ${view.machine_name ?? view.machine_no}（${view.machine_no}）货道 ${c.channel_name}`;
	const status = c.floor_status === null ? undefined : FLOOR_STATUS[c.floor_status];
	const product = c.product_name ?? 'product';
	const limit = threshold.type === 'percent' ? `${threshold.value}% of ${c.capacity}` : String(threshold.value);
	const texts: Record<string, [string, string]> = {
		'channel.fault': [`Fault at ${where}: ${status?.en ?? `status ${c.floor_status}`}.`, `${whereZh}故障：${status?.zh ?? `状态 ${c.floor_status}`}。`],
		'channel.cleared': [`${where}: the fault is cleared, the channel is normal again.`, `${whereZh}故障已恢复，货道正常。`],
		'stock.low': [`Low stock at ${where}: ${product} has ${c.stock} left (threshold ${limit}).`, `${whereZh}库存不足：${product} 剩余 ${c.stock}（阈值 ${limit}）。`],
		'stock.restocked': [`${where}: ${product} restocked, ${c.stock} now.`, `${whereZh}已补货：${product} 现有 ${c.stock}。`],
	};
	const [message, messageZh] = texts[event];
	return {
		event,
		machine_no: view.machine_no,
		machine_name: view.machine_name,
		channel_name: c.channel_name,
		floor_status: c.floor_status,
		channelStatus: status?.en ?? null,
		channelStatusZh: status?.zh ?? null,
		good_id: c.good_id ?? null,
		product_name: c.product_name,
		stock: c.stock,
		capacity: c.capacity,
		threshold: threshold.type === 'percent' ? Math.floor((c.capacity * threshold.value) / 100) : threshold.value,
		message,
		messageZh,
		detectedAt: at,
	};
}

/** One item per change from `previous` to the views, only for the wanted events. */
export function changes(previous: AlertState, views: MachineView[], threshold: Threshold, wanted: Set<AlertEvent>, at: string): IDataObject[] {
	const items: IDataObject[] = [];
	const emit = (event: AlertEvent, item: () => IDataObject) => wanted.has(event) && items.push(item());
	for (const view of views) {
		const before = previous.machines[view.machine_no];
		if (!before) continue; // a machine new to the account: its first state is its baseline
		if (before.online && !view.online) emit('machine.offline', () => machineItem('machine.offline', view, at));
		if (!before.online && view.online) emit('machine.online', () => machineItem('machine.online', view, at));
		for (const c of view.channels ?? []) {
			const was = before.channels[c.channel_name];
			if (!was) continue;
			const fault = isFault(c.floor_status);
			if (fault && (!was.fault || was.floor_status !== c.floor_status)) emit('channel.fault', () => channelItem('channel.fault', view, c, threshold, at));
			if (!fault && was.fault) emit('channel.cleared', () => channelItem('channel.cleared', view, c, threshold, at));
			const low = isLow(c, threshold);
			if (low && !was.low) emit('stock.low', () => channelItem('stock.low', view, c, threshold, at));
			if (!low && was.low) emit('stock.restocked', () => channelItem('stock.restocked', view, c, threshold, at));
		}
	}
	return items;
}

/** For "Fetch Test Event": one real current condition (an offline machine, a fault, low stock), else a machine's state. */
export function currentExample(views: MachineView[], threshold: Threshold, at: string): IDataObject | undefined {
	for (const view of views) if (!view.online) return machineItem('machine.offline', view, at);
	for (const view of views) {
		for (const c of view.channels ?? []) {
			if (isFault(c.floor_status)) return channelItem('channel.fault', view, c, threshold, at);
			if (isLow(c, threshold)) return channelItem('stock.low', view, c, threshold, at);
		}
	}
	return views[0] ? machineItem('machine.online', views[0], at) : undefined;
}
