import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as category from './category';
import * as channel from './channel';
import * as delivery from './delivery';
import * as machine from './machine';
import * as order from './order';
import * as pickupCode from './pickupCode';
import * as product from './product';

type Operation = { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[]> };

const operations: Record<string, Record<string, Operation>> = {
	order: { create: order.create, get: order.get, update: order.update },
	delivery: { put: delivery.put, get: delivery.get, test: delivery.test },
	pickupCode: { create: pickupCode.create, getAll: pickupCode.getAll, delete: pickupCode.delete, consume: pickupCode.consume },
	machine: { get: machine.get, getAll: machine.getAll },
	product: { getAll: product.getAll },
	channel: { getAll: channel.getAll },
	category: { getAll: category.getAll },
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
