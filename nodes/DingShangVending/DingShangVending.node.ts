import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { OUTPUTS_EXPRESSION } from './actions/delivery';
import { GUARDED_OPERATIONS, GUARDED_RESOURCES, LIST_RESOURCES, RESOURCE_PROPERTIES, router, SUBTITLE } from './actions/router';
import { allowGoodsAndMoneyField, simplifyField } from '../shared/common/aiTool';
import { listSearch } from './methods';

export class DingShangVending implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Vending',
		name: 'dingShangVending',
		icon: { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' },
		group: ['transform'],
		// 1.1: named outputs (Route by Outcome); 1.2: machine, product and channel picked from lists.
		version: [1, 1.1, 1.2],
		defaultVersion: 1.2,
		// The operations' names as the form shows them ("Dispense", not the value "put").
		subtitle: SUBTITLE,
		description:
			'Control DingShang vending machines: orders, dispensing, pickup codes, machines, stock and channels, with every result explained',
		defaults: { name: 'DingShang Vending' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		credentials: [{ name: 'dingShangApi', required: true, displayName: 'DingShang API' }],
		properties: [
			...RESOURCE_PROPERTIES,
			// Shown only on the AI-agent tool variant of this node.
			allowGoodsAndMoneyField({ resource: GUARDED_RESOURCES, operation: GUARDED_OPERATIONS }),
			simplifyField({ resource: LIST_RESOURCES, operation: ['getAll'] }),
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
