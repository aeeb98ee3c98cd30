import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { InputError, NOTHING_SENT } from './input';
import { itemParameters, type ParameterReader } from './itemParameters';
import { messageZhOf } from './messageZh';

export interface ItemTask<T, C> {
	/** The service's credentials, read and checked once per execution. */
	credentials: () => Promise<C>;
	/** Reads (with `param`, see itemParameters.ts) and validates the item's parameters; throws (no request sent) when one is bad. */
	parse: (itemIndex: number, param: ParameterReader) => T;
	/** Items with the same key run one after another; different keys run concurrently. */
	groupKey: (input: T) => string;
	/** How many keys may be in progress at once (see REQUEST_LANES / MACHINE_LANES). */
	lanes: number;
	/** Performs the requests for one item and returns its output objects. */
	run: (input: T, itemIndex: number, creds: C) => Promise<IDataObject[]>;
}

type Outcome = { ok: IDataObject[] } | { error: unknown };

type NodeError = NodeApiError | NodeOperationError;

/**
 * How a service turns what its code throws into n8n's errors (English), and what an error item
 * carries besides: the platform code and a Chinese explanation merchants can forward.
 */
export interface ItemErrors {
	toNodeError: (ctx: { getNode(): INode }, error: unknown, itemIndex?: number) => NodeError;
	code?: (error: unknown) => unknown;
	messageZh?: (error: unknown) => string | undefined;
}

/** n8n's errors pass; bad input says nothing was sent; anything else is the service's failure. */
export function toItemError(ctx: { getNode(): INode }, error: unknown, itemIndex?: number): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof InputError) return new NodeOperationError(ctx.getNode(), error.message, { description: NOTHING_SENT, itemIndex });
	const message = (error as Error)?.message ?? String(error);
	const nodeError = new NodeApiError(ctx.getNode(), { message }, { message, itemIndex });
	nodeError.message = message;
	return nodeError;
}

const PLAIN_ERRORS: ItemErrors = { toNodeError: toItemError, messageZh: messageZhOf };

/**
 * Requests in flight at once for order reads/updates/creates. `npm run bench` on a 2-core box:
 * 8 → 16 lanes made Update Order ×2,000 ~20% faster, 32 only ~5% more; and a real platform should
 * not get a burst of thousands from one workflow (n8n's HTTP Request node without batching).
 */
export const REQUEST_LANES = 16;

/**
 * Machines dispensing at once. A dispense mostly waits for the machine, so this is wider; one
 * machine is never commanded twice at once whatever the width (its items share one lane).
 */
export const MACHINE_LANES = 32;

/**
 * Runs an operation over all input items: every item is validated before the first request,
 * machines work in parallel while items of one machine keep their order, each output item is
 * paired with its input, and failures follow the node's "On Error" setting.
 */
export async function runItems<T, C>(ctx: IExecuteFunctions, task: ItemTask<T, C>, errors: ItemErrors = PLAIN_ERRORS): Promise<INodeExecutionData[]> {
	const { toNodeError } = errors;
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const outcomes: Outcome[] = new Array(items.length);
	const inputs: Array<T | undefined> = new Array(items.length);

	let creds: C | undefined;
	try {
		creds = await task.credentials();
	} catch (error) {
		if (!continueOnFail) throw toNodeError(ctx, error, 0);
		items.forEach((_, i) => (outcomes[i] = { error }));
	}

	const param = itemParameters(ctx);
	for (let i = 0; creds && i < items.length; i++) {
		try {
			inputs[i] = task.parse(i, param);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(ctx, error, i);
			outcomes[i] = { error };
		}
	}

	if (creds) {
		const groups = new Map<string, number[]>();
		inputs.forEach((input, i) => {
			if (input === undefined) return;
			const key = task.groupKey(input);
			const group = groups.get(key);
			if (group) group.push(i);
			else groups.set(key, [i]);
		});
		const credentials = creds;
		const queue = [...groups.values()];
		let next = 0;
		let stopped = false; // without "continue on fail", one failure stops every lane
		const lane = async (): Promise<void> => {
			for (let group = queue[next++]; group && !stopped; group = queue[next++]) {
				for (const i of group) {
					if (stopped) return; // items already sending finish; no new command starts
					try {
						outcomes[i] = { ok: await task.run(inputs[i] as T, i, credentials) };
					} catch (error) {
						outcomes[i] = { error };
						if (!continueOnFail) stopped = true;
					}
				}
			}
		};
		await Promise.all(Array.from({ length: Math.max(1, Math.min(task.lanes, queue.length)) }, lane));
	}

	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const outcome = outcomes[i];
		if (!outcome) continue; // skipped after an earlier failure on the same machine
		if ('error' in outcome) {
			const nodeError = toNodeError(ctx, outcome.error, i);
			if (!continueOnFail) throw nodeError;
			output.push({
				json: {
					error: nodeError.message,
					description: nodeError.description ?? null,
					code: errors.code?.(outcome.error) ?? null,
					messageZh: errors.messageZh?.(outcome.error) ?? null,
				},
				pairedItem: { item: i },
			});
			continue;
		}
		for (const json of outcome.ok) output.push({ json, pairedItem: { item: i } });
	}
	return output;
}
