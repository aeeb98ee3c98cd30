import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorForAgent, refuseUnlessAllowed, runsAsTool, simplifyRows, SIMPLIFY_PARAM } from '../../shared/common/aiTool';
import { category } from './category';
import { channel } from './channel';
import { delivery } from './delivery';
import { machine } from './machine';
import type { Operation, Resource } from './resource';
import { order } from './order';
import { pickupCode } from './pickupCode';
import { product } from './product';

/** Every resource with its table of operations (each resource's index.ts): the node's form, its subtitle and the dispatch below come from here. */
export const RESOURCES: Record<string, Resource> = { category, channel, delivery, machine, order, pickupCode, product };

/**
 * What an AI tool may do only when the merchant switched it on (docs/reference.md › AI agents): they move
 * goods or money. The one table: the form's switch is shown for exactly these.
 */
export const GUARDED_FOR_AGENTS: Record<string, string> = {
	'delivery.put': 'dispense products',
	'delivery.test': 'test-dispense a channel (a product really drops)',
	'order.finishPayment': 'finish a payment (dispense late, or set the order to Refund)',
	'order.update': 'change an order status',
	'pickupCode.consume': 'consume a pickup code',
};

const keysOf = (table: Record<string, unknown>) => Object.keys(table).map((key) => key.split('.') as [string, string]);

/** The resources and operations the guard switch is shown for (n8n's displayOptions take them apart). */
export const GUARDED_RESOURCES = [...new Set(keysOf(GUARDED_FOR_AGENTS).map(([resource]) => resource))];
export const GUARDED_OPERATIONS = [...new Set(keysOf(GUARDED_FOR_AGENTS).map(([, operation]) => operation))];
/** Resources with a list (Get Many): an agent gets their rows simplified. */
export const LIST_RESOURCES = Object.keys(RESOURCES).filter((name) => 'getAll' in RESOURCES[name].operations);

/** The Resource dropdown and every resource's operations and fields. */
const RESOURCE_DROPDOWN: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Category', value: 'category', description: 'Product categories of a machine' },
		{ name: 'Channel', value: 'channel', description: 'The channels of a machine and their state: stuck, motor fault…' },
		{ name: 'Delivery', value: 'delivery', description: 'Dispensing the products of an order' },
		{ name: 'Machine', value: 'machine', description: 'Your vending machines: online, operating, model' },
		{ name: 'Order', value: 'order', description: 'A customer order on a machine' },
		{ name: 'Pickup Code', value: 'pickupCode', description: 'Codes a customer types to take a product' },
		{ name: 'Product', value: 'product', description: 'The products of a machine with their stock' },
	],
	default: 'order',
};
export const RESOURCE_PROPERTIES: INodeProperties[] = [RESOURCE_DROPDOWN, ...Object.values(RESOURCES).flatMap((r) => r.description)];
const resourceName = (value: string) => String(RESOURCE_DROPDOWN.options?.find((o) => 'value' in o && o.value === value)?.name ?? value);

/** "Dispense: Delivery": the operation's name as the form shows it (not the value "put"). */
const SUBTITLES = Object.fromEntries(
	Object.entries(RESOURCES).flatMap(([resource, r]) => Object.entries(r.operations).map(([operation, op]) => [`${resource}.${operation}`, `${op.option.name}: ${resourceName(resource)}`])),
);
export const SUBTITLE = `={{ (${JSON.stringify(SUBTITLES)})[$parameter["resource"] + "." + $parameter["operation"]] }}`;

function handlerOf(ctx: IExecuteFunctions): { resource: string; operation: string; handler: Operation } {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const handler = RESOURCES[resource]?.operations[operation];
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
	const { handler } = handlerOf(this);
	const items = await handler.execute.call(this);
	return handler.outputs?.(this, items) ?? [items];
}
