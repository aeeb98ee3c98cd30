import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as bill from './bill';
import * as payment from './payment';
import * as refund from './refund';
import { errorForAgent, refuseUnlessAllowed, runsAsTool } from '../../shared/common/aiTool';

type Operation = { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[]> };

/** Every operation, and what it does that an AI agent may only do when allowed (money). */
const operations: Record<string, Record<string, Operation & { guarded?: string }>> = {
	refund: { create: { ...refund.create, guarded: 'refund a payment' }, get: refund.get },
	payment: { get: payment.get, close: { ...payment.close, guarded: 'close a payment' } },
	bill: { get: bill.get },
};

async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not known for resource "${resource}"`);
	if (handler.guarded) refuseUnlessAllowed(ctx, handler.guarded); // only as an AI tool
	return [await handler.execute.call(ctx)];
}

/** Dispatches to `actions/<resource>/<operation>.operation.ts`; as an AI tool, errors reach the agent as an item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!runsAsTool(this)) return await route(this);
	try {
		return await route(this);
	} catch (error) {
		return errorForAgent(error);
	}
}
