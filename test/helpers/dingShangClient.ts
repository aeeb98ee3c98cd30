import './n8n/env';

import type { IDataObject, IExecuteFunctions, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { finishPayment } from '../../nodes/shared/dingshang/finishPayment';
import { getOrder, setOrderStatus } from '../../nodes/shared/dingshang/orders';
import { getDingShangCredentials } from '../../nodes/shared/dingshang/transport';
import type { SandboxClient } from './sandboxClient';
import { runNode, type RunNodeResult } from './n8n/engine';

/**
 * A test-only node that calls the DingShang client layer (nodes/shared/dingshang) with n8n-core's
 * own execute context — its real httpRequest helper and credentials — so the layer runs through
 * n8n's engine against the sandbox over real HTTP, like the nodes that use it.
 */
const clientNode: INodeType = {
	description: {
		displayName: 'DingShang Client (test)',
		name: 'test.dingShangClient',
		group: ['transform'],
		version: 1,
		description: 'Calls one function of the DingShang client layer (tests only)',
		defaults: { name: 'DingShang Client' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingShangApi', required: true }],
		properties: [
			{ displayName: 'Call', name: 'call', type: 'string', default: 'getOrder' },
			{ displayName: 'Machine No', name: 'machineNo', type: 'string', default: '' },
			{ displayName: 'Order ID', name: 'orderId', type: 'string', default: '' },
			{ displayName: 'Status', name: 'status', type: 'number', default: 1 },
			{ displayName: 'Paid Minutes Ago', name: 'paidMinutesAgo', type: 'number', default: 0 },
		],
	},
	async execute(this: IExecuteFunctions) {
		const call = this.getNodeParameter('call', 0) as string;
		const ref = { machineNo: String(this.getNodeParameter('machineNo', 0)), orderId: String(this.getNodeParameter('orderId', 0)) };
		const creds = await getDingShangCredentials(this);
		let json: IDataObject;
		if (call === 'getOrder') json = await getOrder(this, creds, ref);
		else if (call === 'setOrderStatus') json = await setOrderStatus(this, creds, { ...ref, status: Number(this.getNodeParameter('status', 0)) });
		else {
			const paidAt = new Date(Date.now() - Number(this.getNodeParameter('paidMinutesAgo', 0, 0)) * 60_000).toISOString();
			json = (await finishPayment({ ctx: this, creds, windowMinutes: 3, now: Date.now() }, { machine_no: ref.machineNo, order_id: ref.orderId, paid_at: paidAt, amount: 3.5 })) as unknown as IDataObject;
		}
		return [[{ json }]];
	},
};

export function clientRunner(client: SandboxClient) {
	return (parameters: { call: 'getOrder' | 'setOrderStatus' | 'finishPayment'; machineNo: string; orderId: number | string; status?: number; paidMinutesAgo?: number }): Promise<RunNodeResult> =>
		runNode({
			nodeTypes: { 'test.dingShangClient': clientNode },
			credentialTypes: { dingShangApi: new DingShangApi() },
			credentials: { dingShangApi: { baseUrl: client.sb.baseUrl, appId: client.sb.appId, appSecret: client.sb.appSecret, signingKey: client.sb.signKey } },
			type: 'test.dingShangClient',
			parameters: { ...parameters, orderId: String(parameters.orderId) },
		});
}
