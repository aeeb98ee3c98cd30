import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as category from './category';
import * as channel from './channel';
import * as delivery from './delivery';
import * as machine from './machine';
import * as order from './order';
import * as pickupCode from './pickupCode';
import * as product from './product';
import { errorForAgent, refuseUnlessAllowed, runsAsTool, simplifyRows, SIMPLIFY_PARAM } from '../../shared/common/aiTool';

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

/** What an AI tool may do only when the merchant switched it on (README › AI agents): they move goods or money. */
export const GUARDED_FOR_AGENTS: Record<string, string> = {
	'delivery.put': 'dispense products',
	'delivery.test': 'test-dispense a channel (a product really drops)',
	'order.update': 'change an order status',
	'pickupCode.consume': 'consume a pickup code',
};
export const GUARDED_RESOURCES = ['delivery', 'order', 'pickupCode'];
export const GUARDED_OPERATIONS = ['put', 'test', 'update', 'consume'];
export const LIST_RESOURCES = ['machine', 'product', 'channel', 'category', 'pickupCode'];

function handlerOf(ctx: IExecuteFunctions): { resource: string; operation: string; handler: Operation } {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not known for resource "${resource}"`);
	return { resource, operation, handler };
}

/** As an AI tool: the money guard first, one output (the agent reads only the first), lists simplified, errors as an item. */
async function runForAgent(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	try {
		const { resource, operation, handler } = handlerOf(ctx);
		const guarded = GUARDED_FOR_AGENTS[`${resource}.${operation}`];
		if (guarded) refuseUnlessAllowed(ctx, guarded);
		const items = await handler.execute.call(ctx);
		const simplify = operation === 'getAll' && ctx.getNodeParameter(SIMPLIFY_PARAM, 0, true) === true;
		return [simplify ? simplifyRows(items) : items];
	} catch (error) {
		return errorForAgent(error);
	}
}

/** Dispatches to `actions/<resource>/<operation>.operation.ts`; each handles all input items. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (runsAsTool(this)) return await runForAgent(this);
	const { resource, operation, handler } = handlerOf(this);
	const items = await handler.execute.call(this);
	if (resource === 'delivery' && operation === 'put' && delivery.put.routesByOutcome(this)) return delivery.put.splitByOutcome(items);
	return [items];
}
