/**
 * The local URLs inside the example workflows (nodes and sticky notes) and how they follow the
 * current ports: `npm start` may run on other ports than the run that imported them. Only URLs on
 * this machine's loopback that lead to our three servers change — n8n's webhooks, the sandbox's
 * `/__sandbox` and the payment sandboxes' `/__payments` — everything else the merchant edited stays.
 * The examples' refund stand-in moved from `/__sandbox/refunds` to `/__payments/refunds`: workflows
 * imported before follow it there.
 */

export interface LocalUrls {
	/** This n8n, e.g. `http://127.0.0.1:5678` (no trailing slash). */
	n8n: string;
	sandbox?: string;
	payments?: string;
}

const LOCAL = String.raw`http://(?:127\.0\.0\.1|localhost):\d+`;
/** [server, what to find, its new path after that server's base URL]; the moved route first. */
const RULES: Array<[keyof LocalUrls, RegExp, string]> = [
	['payments', new RegExp(`${LOCAL}/__sandbox/refunds\\b`, 'g'), '__payments/refunds'],
	['n8n', new RegExp(`${LOCAL}/(webhook(?:-test|-waiting)?/)`, 'g'), '$1'],
	['sandbox', new RegExp(`${LOCAL}/(__sandbox\\b)`, 'g'), '$1'],
	['payments', new RegExp(`${LOCAL}/(__payments\\b)`, 'g'), '$1'],
];

export function repointText(text: string, urls: LocalUrls): string {
	let out = text;
	for (const [server, pattern, path] of RULES) {
		const base = urls[server];
		if (base) out = out.replace(pattern, `${base}/${path}`);
	}
	return out;
}

/** Repoints every string under `value` (objects and arrays walked); returns the new value. */
export function repointValue<T>(value: T, urls: LocalUrls): T {
	if (typeof value === 'string') return repointText(value, urls) as T;
	if (Array.isArray(value)) return value.map((item) => repointValue(item, urls)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, repointValue(item, urls)])) as T;
	}
	return value;
}

/** Repoints the parameters of every node of `workflow` in place; true when anything changed. */
export function repointWorkflow(workflow: { nodes: Array<{ parameters?: Record<string, unknown> }> }, urls: LocalUrls): boolean {
	let changed = false;
	for (const node of workflow.nodes) {
		if (!node.parameters) continue;
		const next = repointValue(node.parameters, urls);
		if (JSON.stringify(next) !== JSON.stringify(node.parameters)) {
			node.parameters = next;
			changed = true;
		}
	}
	return changed;
}
