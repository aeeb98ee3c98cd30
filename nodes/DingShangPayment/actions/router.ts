import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as refund from './refund';

type Operation = { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[]> };

const operations: Record<string, Record<string, Operation>> = { refund: { create: refund.create, get: refund.get } };

/** Dispatches to `actions/<resource>/<operation>.operation.ts`. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for resource "${resource}"`);
	return [await handler.execute.call(this)];
}
