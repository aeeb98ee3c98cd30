import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as delivery from './delivery';
import * as order from './order';

type Operation = { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[]> };

const operations: Record<string, Record<string, Operation>> = {
	order: { create: order.create, get: order.get, update: order.update },
	delivery: { put: delivery.put, get: delivery.get },
};

/** Dispatches to `actions/<resource>/<operation>.operation.ts`; each handles all input items. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for resource "${resource}"`);
	}
	const items = await handler.execute.call(this);
	if (resource === 'delivery' && operation === 'put' && delivery.put.routesByOutcome(this)) return delivery.put.splitByOutcome(items);
	return [items];
}
