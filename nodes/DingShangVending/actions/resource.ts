import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** What every `<resource>/<operation>.operation.ts` exports: its entry in the Operation list, its fields, how it runs. */
export interface Operation {
	/** The Operation list entry (its value is the operation's key in the resource's table). */
	option: Omit<INodePropertyOptions, 'value'> & { action: string };
	description: INodeProperties[];
	execute(this: IExecuteFunctions): Promise<INodeExecutionData[]>;
	/** Splits the items over the node's outputs; one output when absent or when it returns undefined. */
	outputs?(ctx: IExecuteFunctions, items: INodeExecutionData[]): INodeExecutionData[][] | undefined;
}

export interface Resource {
	operations: Record<string, Operation>;
	/** The Operation dropdown plus every operation's fields. */
	description: INodeProperties[];
}

/** A resource from its table of operations: the dropdown (alphabetical, as n8n's lint wants) and the fields come from the operations. */
export function resource(name: string, operations: Record<string, Operation>, defaultOperation: string): Resource {
	const choices = Object.entries(operations)
		.map(([value, op]) => ({ ...op.option, value }))
		.sort((a, b) => a.name.localeCompare(b.name));
	const dropdown: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [name] } },
		options: choices,
		default: defaultOperation,
	};
	return { operations, description: [dropdown, ...Object.values(operations).flatMap((op) => op.description)] };
}
