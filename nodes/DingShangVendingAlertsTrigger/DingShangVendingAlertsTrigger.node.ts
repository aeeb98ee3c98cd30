import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DingShangFailure, toNodeError } from '../shared/dingshang/failures';
import { listChannels, listMachines } from '../shared/dingshang/lists';
import { MACHINE_NO_PATTERN } from '../shared/dingshang/protocol';
import type { DingShangCredentials } from '../shared/dingshang/transport';
import { getDingShangCredentials } from '../shared/dingshang/transport';
import type { AlertEvent, AlertState, MachineView, Threshold } from './alerts';
import { ALERT_EVENTS, changes, currentExample, stateOf } from './alerts';

/** Machines read at once per poll (one `/floors` request each). */
const PARALLEL_READS = 4;

export class DingShangVendingAlertsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Vending Alerts Trigger',
		name: 'dingShangVendingAlertsTrigger',
		icon: { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Machine Alerts',
		description: 'Starts the workflow when a DingShang machine goes offline or comes back, a channel faults or recovers, or stock runs low',
		defaults: { name: 'DingShang Vending Alerts' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingShangApi', required: true, displayName: 'DingShang API' }],
		properties: [
			{
				displayName:
					'Checks your machines on the schedule above and emits one item per change. The first check only records the current state; "Fetch Test Event" shows one real current condition.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				hint: 'Which changes start the workflow',
				name: 'events',
				type: 'multiOptions',
				options: ALERT_EVENTS.map(({ name, value, description }) => ({ name, value, description })),
				default: ['machine.offline', 'machine.online', 'channel.fault', 'channel.cleared', 'stock.low', 'stock.restocked'],
				description: 'Which changes start the workflow',
			},
			{
				displayName: 'Machines',
				hint: 'All your machines, or only the ones you list',
				name: 'machineScope',
				type: 'options',
				default: 'all',
				options: [
					{ name: 'All Machines of the Account', value: 'all' },
					{ name: 'Chosen Machines', value: 'chosen' },
				],
			},
			{
				displayName: 'Machine Numbers',
				hint: 'Machine numbers separated by commas, e.g. 10000001,10000002',
				name: 'machineNos',
				type: 'string',
				default: '',
				placeholder: '10000001, 10000002',
				description: 'The machines to watch, separated by commas',
				displayOptions: { show: { machineScope: ['chosen'] } },
			},
			{
				displayName: 'Low Stock Threshold',
				hint: 'A channel at or below this counts as low (items, or percent; see below)',
				name: 'stockThreshold',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 3,
				description: 'A channel at or below this is low',
			},
			{
				displayName: 'Threshold Is',
				hint: 'Items left in the channel, or percent of the channel\'s capacity',
				name: 'thresholdType',
				type: 'options',
				default: 'absolute',
				options: [
					{ name: 'Items Left', value: 'absolute' },
					{ name: 'Percent of Channel Capacity', value: 'percent' },
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const wanted = new Set(this.getNodeParameter('events', []) as AlertEvent[]);
		const threshold: Threshold = {
			type: this.getNodeParameter('thresholdType', 'absolute') === 'percent' ? 'percent' : 'absolute',
			value: Number(this.getNodeParameter('stockThreshold', 3)),
		};
		let views: MachineView[];
		try {
			views = await readMachines(this, await getDingShangCredentials(this), chosenMachines(this));
		} catch (error) {
			// A failed poll changes nothing remembered: no flood of false "offline" alerts afterwards.
			throw toNodeError(this, error);
		}
		const at = new Date().toISOString();
		if (this.getMode() === 'manual') {
			const example = currentExample(views, threshold, at);
			return example ? [[{ json: example }]] : null;
		}
		const staticData = this.getWorkflowStaticData('node');
		const previous = staticData.alertState as AlertState | undefined;
		staticData.alertState = stateOf(views, threshold, previous) as unknown as IDataObject;
		if (!previous) return null; // the first poll is the baseline
		const items = changes(previous, views, threshold, wanted, at);
		return items.length > 0 ? [items.map((json) => ({ json }))] : null;
	}
}

function chosenMachines(ctx: IPollFunctions): Set<string> | undefined {
	if (ctx.getNodeParameter('machineScope', 'all') !== 'chosen') return undefined;
	const raw = String(ctx.getNodeParameter('machineNos', ''));
	const numbers = raw.split(/[\s,;，]+/).filter(Boolean);
	const bad = numbers.find((n) => !MACHINE_NO_PATTERN.test(n));
	if (bad !== undefined || numbers.length === 0) {
		const got = bad === undefined ? 'nothing' : `"${bad}"`;
		throw toNodeError(ctx, new DingShangFailure('config', `Invalid "Machine Numbers": expected machine numbers (8 or more digits) separated by commas, got ${got}`));
	}
	return new Set(numbers);
}

/** The account's machines (online state) and, for each online one, its channels. */
async function readMachines(ctx: IPollFunctions, creds: DingShangCredentials, chosen?: Set<string>): Promise<MachineView[]> {
	const machines = (await listMachines(ctx, creds)).filter((m) => !chosen || chosen.has(String(m.machine_no)));
	const views: MachineView[] = machines.map((m) => ({
		machine_no: String(m.machine_no),
		machine_name: typeof m.machine_name === 'string' ? m.machine_name : null,
		online: m.is_online === true,
	}));
	let next = 0;
	const lane = async () => {
		for (let view = views[next++]; view; view = views[next++]) {
			if (!view.online) continue;
			const channels = await listChannels(ctx, creds, view.machine_no);
			view.channels = channels.map((c) => ({
				channel_name: String(c.channel_name),
				floor_status: c.floor_status as string | null,
				good_id: c.good_id,
				product_name: (c.product_name as string | null) ?? null,
				stock: Number(c.current_inventory),
				capacity: Number(c.inventory),
			}));
		}
	};
	await Promise.all(Array.from({ length: PARALLEL_READS }, lane));
	return views;
}
