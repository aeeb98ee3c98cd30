import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { listChannels, listMachines, listProducts } from '../../shared/dingshang/lists';
import { MACHINE_NO_PATTERN } from '../../shared/dingshang/protocol';
import { getDingShangCredentials } from '../../shared/dingshang/transport';

/** "From list" choices in the form. Products and channels need the machine chosen above. */

function matching(items: INodeListSearchItems[], filter?: string): INodeListSearchResult {
	const wanted = (filter ?? '').trim().toLowerCase();
	return { results: wanted ? items.filter((item) => `${item.name} ${String(item.value)}`.toLowerCase().includes(wanted)) : items };
}

/** The machine chosen in the form, if it is a plain machine number (not an expression). */
function chosenMachine(ctx: ILoadOptionsFunctions): string | undefined {
	const value = ctx.getCurrentNodeParameter('machineNo', { extractValue: true });
	return typeof value === 'string' && MACHINE_NO_PATTERN.test(value.trim()) ? value.trim() : undefined;
}

export async function searchMachines(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const machines = await listMachines(this, await getDingShangCredentials(this));
	return matching(
		machines.map((m) => ({
			name: `${String(m.machine_name ?? m.machine_no)} (${String(m.machine_no)}) — ${m.is_online ? 'online' : 'offline'}`,
			value: String(m.machine_no),
		})),
		filter,
	);
}

export async function searchProducts(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const machine = chosenMachine(this);
	if (!machine) return { results: [] };
	const products = await listProducts(this, await getDingShangCredentials(this), machine, {}, 1000);
	return matching(
		products.map((p) => ({
			name: `${String(p.product_name ?? p.product_id)} (${String(p.product_id)}) — ${String(p.channel_name ?? '?')}, stock ${String(p.current_inventory)}`,
			value: String(p.product_id),
		})),
		filter,
	);
}

export async function searchChannels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const machine = chosenMachine(this);
	if (!machine) return { results: [] };
	const channels = await listChannels(this, await getDingShangCredentials(this), machine);
	return matching(
		channels.map((c) => ({
			name: `${String(c.channel_name)} — ${String(c.product_name ?? 'empty')}, ${String(c.channelStatus ?? 'status unknown')}, stock ${String(c.current_inventory)}/${String(c.inventory)}`,
			value: String(c.channel_name),
		})),
		filter,
	);
}
