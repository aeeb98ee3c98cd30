import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { invalid } from '../../../shared/common/input';
import { REQUEST_LANES } from '../../../shared/common/items';
import { DingShangFailure } from '../../../shared/dingshang/failures';
import { runItems } from '../../../shared/dingshang/items';
import { generatedTradeId, withMachineNo } from '../../../shared/dingshang/orders';
import { maskUrlTokens } from '../../../shared/dingshang/secrets';
import { dingShangRequest } from '../../../shared/dingshang/transport';
import { machineNoField, tradeIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { integerInRange, machineNo, optionalUrl, positiveId, tradeId } from '../validate';

export const option: Operation['option'] = {
	name: 'Create',
	description: 'Create an unpaid order on a machine (reserves stock; expires after 20 unpaid minutes)',
	action: 'Create an order',
};

const show = { resource: ['order'], operation: ['create'] };

export const description: INodeProperties[] = [
	...machineNoField('order', ['create']),
	{
		displayName: 'Products',
		hint: 'Each line is one record, dispensed on its own',
		name: 'products',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		required: true,
		default: { product: [{ productId: '', quantity: 1 }] }, // starts with one row to fill in
		placeholder: 'Add Product',
		description: 'What the customer buys. Each line becomes one order record that is dispensed separately.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Product',
				name: 'product',
				values: [
					{
						displayName: 'Product ID',
						hint: 'A product this machine stocks',
						name: 'productId',
						type: 'string',
						default: '',
						description: 'The DingShang product ID stocked in this machine',
					},
					{
						displayName: 'Quantity',
						hint: 'How many of this product, 1 or more',
						name: 'quantity',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1,
						description: 'How many of this product',
					},
				],
			},
		],
	},
	{
		displayName: 'Notify URL',
		name: 'notifyUrl',
		type: 'string',
		default: '',
		placeholder: 'https://your-n8n/webhook/…/delivery-result?token=…',
		description: 'Where DingShang posts each dispense result',
		hint: 'Your Delivery Result Trigger\'s Production URL, token included; the machine number is added (see below)',
		displayOptions: { show },
	},
	{
		displayName: 'Add Machine No to Notify URL',
		hint: 'Keep on: the result then says which machine it came from',
		name: 'addMachineNo',
		type: 'boolean',
		default: true,
		description:
			'Whether to add the machine number to the Notify URL (as machine_no=…, unless it is already there). DingShang\'s result callback names the order but not the machine; the Delivery Result trigger reads it from there.',
		displayOptions: { show },
	},
	tradeIdField(show),
];

interface CreateInput {
	machineNo: string;
	notifyUrl?: string;
	tradeId: string;
	products: Array<{ product_id: number; quantity: number }>;
}

/** `POST /orders` (not signed): creates an unpaid order that reserves stock. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<CreateInput>(this, {
		parse: (i, param) => {
			const lines = (param('products.product', i, []) as IDataObject[]) ?? [];
			if (!Array.isArray(lines) || lines.length === 0) throw invalid('Products', lines, 'add at least one product');
			const machine = machineNo(param('machineNo', i, '', { extractValue: true }));
			const notifyUrl = optionalUrl('Notify URL', param('notifyUrl', i, ''));
			const addMachineNo = param('addMachineNo', i, true) as boolean;
			return {
				machineNo: machine,
				notifyUrl: notifyUrl && addMachineNo ? withMachineNo(notifyUrl, machine) : notifyUrl,
				tradeId: tradeId(param('tradeId', i, '')) ?? generatedTradeId(),
				products: lines.map((line, n) => ({
					product_id: Number(positiveId(`Products › line ${n + 1} › Product ID`, line.productId)),
					quantity: integerInRange(`Products › line ${n + 1} › Quantity`, line.quantity, 1, 999),
				})),
			};
		},
		// One machine's orders are created in item order (stock is taken first come, first served).
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const body: IDataObject = { machine_no: input.machineNo, trade_id: input.tradeId, products: input.products };
			if (input.notifyUrl) body.notify_url = input.notifyUrl;
			// Not retried: a lost answer could mean the order exists; the unique trade_id makes a manual retry safe.
			const answer = await dingShangRequest(this, creds, { method: 'POST', path: '/orders', body });
			const orderId = (answer.data as { order_id?: unknown } | undefined)?.order_id;
			if (orderId === undefined || orderId === null || orderId === '') {
				throw new DingShangFailure('platform', `DingShang did not return an order_id: ${answer.message}`, {
					platformMessage: answer.message,
				});
			}
			return [
				{
					order_id: Number(orderId),
					trade_id: input.tradeId,
					machine_no: input.machineNo,
					notify_url: input.notifyUrl ? maskUrlTokens(input.notifyUrl) : null,
					products: input.products,
					// For WeChat Pay `attach` / Alipay `passback_params`: the WeChat Pay / Alipay Notification Trigger gives it back as an object.
					payment_attach: `machine_no=${input.machineNo}&order_id=${Number(orderId)}`,
				},
			];
		},
	});
}
