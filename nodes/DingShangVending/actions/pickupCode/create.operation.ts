import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { toChinaTime } from '../../../shared/common/chinaTime';
import { asText, invalid } from '../../../shared/common/input';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { listCodes } from '../../../shared/dingshang/lists';
import { dingShangRequest } from '../../../shared/dingshang/transport';
import { machineNoField, productIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { integerInRange, machineNo, positiveId } from '../validate';

export const option: Operation['option'] = { name: 'Create', description: 'Create pickup codes for one product (or every product) of a machine', action: 'Create pickup codes' };

const show = { resource: ['pickupCode'], operation: ['create'] };

export const description: INodeProperties[] = [
	...machineNoField('pickupCode', ['create']),
	{
		displayName: 'Create For',
		hint: 'One product, or every product of the machine',
		name: 'createFor',
		type: 'options',
		default: 'product',
		options: [
			{ name: 'One Product', value: 'product', description: 'Codes for the given product; the new codes are output' },
			{ name: 'Every Product of the Machine', value: 'allProducts', description: 'Codes for each product the machine sells' },
		],
		displayOptions: { show },
	},
	...productIdField('pickupCode', ['create'], { ...show, createFor: ['product'] }),
	{
		displayName: 'Count',
		hint: 'How many codes to make (per product for every product)',
		name: 'count',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 1,
		description: 'How many codes to create (for every product: per product)',
		displayOptions: { show },
	},
	{
		displayName: 'Code Length',
		hint: 'Digits per code, 6 to 10',
		name: 'codeLength',
		type: 'number',
		typeOptions: { minValue: 6, maxValue: 10 },
		default: 6,
		description: 'Digits per code, 6 to 10',
		displayOptions: { show },
	},
	{
		displayName: 'Expires At',
		hint: 'When the codes stop working, China time (UTC+8); empty = never',
		name: 'expiresAt',
		type: 'dateTime',
		default: '',
		description: 'When the codes stop working, in China time (UTC+8) unless the value has its own zone. Empty: they never expire.',
		displayOptions: { show },
	},
	{
		displayName: 'Pickup codes must be switched on for the machine in the DingShang dashboard (there is no API for it); otherwise DingShang answers 6031.',
		name: 'pickupSwitchNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
];

interface CreateInput {
	machineNo: string;
	productId?: string;
	count: number;
	codeLength: number;
	expiredAt?: string;
}

/**
 * `POST /pickup_codes`, method `pickup_code.product.id` or `.all`. The platform answers `{}`;
 * for one product the codes are read before and after, and the new ones are output, one item per
 * code (what a merchant or an AI agent asked for). For every product: one summary item.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<CreateInput>(this, {
		parse: (i, param) => {
			const forProduct = param('createFor', i, 'product') === 'product';
			const rawExpiry = param('expiresAt', i, '');
			const expiredAt = asText(rawExpiry) === '' ? undefined : toChinaTime(rawExpiry);
			if (asText(rawExpiry) !== '' && !expiredAt) throw invalid('Expires At', rawExpiry, 'expected a date and time, e.g. 2026-12-24 13:00:00');
			return {
				machineNo: machineNo(param('machineNo', i, '', { extractValue: true })),
				productId: forProduct ? positiveId('Product ID', param('productId', i, '', { extractValue: true })) : undefined,
				count: integerInRange('Count', param('count', i, 1), 1, 500),
				codeLength: integerInRange('Code Length', param('codeLength', i, 6), 6, 10),
				expiredAt,
			};
		},
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const signed: IDataObject = {
				machine_no: input.machineNo,
				method: input.productId ? 'pickup_code.product.id' : 'pickup_code.product.all',
				code_length: String(input.codeLength),
				count: String(input.count),
			};
			if (input.productId) signed.product_id = input.productId;
			if (input.expiredAt) signed.expired_at = input.expiredAt;
			if (!input.productId) {
				await dingShangRequest(this, creds, { method: 'POST', path: '/pickup_codes', signed });
				return [{ machine_no: input.machineNo, created: true, for: 'allProducts', count_per_product: input.count, code_length: input.codeLength, expired_at: input.expiredAt ?? null }];
			}
			const before = new Set((await listCodes(this, creds, input.machineNo, input.productId)).map((c) => String(c.id)));
			// Not retried: a lost answer may mean the codes exist; re-running creates more, never fewer.
			await dingShangRequest(this, creds, { method: 'POST', path: '/pickup_codes', signed });
			const after = await listCodes(this, creds, input.machineNo, input.productId);
			return after.filter((c) => !before.has(String(c.id)));
		},
	});
}
