import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { asText, invalid } from '../../../shared/common/input';
import { REQUEST_LANES } from '../../../shared/common/items';
import { runItems } from '../../../shared/dingshang/items';
import { generatedTradeId, getOrder, withMachineNo } from '../../../shared/dingshang/orders';
import { maskUrlTokens } from '../../../shared/dingshang/secrets';
import { isRetryable, trySend } from '../../../shared/dingshang/transport';
import { machineNoField, notifyUrlField, productIdField, tradeIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, optionalUrl, positiveId, tradeId } from '../validate';

export const option: Operation['option'] = { name: 'Consume', description: 'Redeem a code a customer typed: creates the pickup-code order to dispense next (safe to repeat)', action: 'Consume a pickup code' };

const show = { resource: ['pickupCode'], operation: ['consume'] };

/** Code 10025 "取货码已使用": the code was used, and `data.order_id` names the order it made. */
const CODE_ALREADY_USED = 10025;

export const description: INodeProperties[] = [
	...machineNoField('pickupCode', ['consume']),
	{
		displayName: 'Code',
		hint: 'The 6–10 digit pickup code the customer typed',
		name: 'code',
		type: 'string',
		required: true,
		default: '',
		placeholder: '385920',
		description: 'The pickup code the customer typed (6–10 digits)',
		displayOptions: { show },
	},
	...productIdField('pickupCode', ['consume']),
	notifyUrlField('pickupCode', ['consume']),
	tradeIdField(show),
];

interface ConsumeInput {
	machineNo: string;
	code: string;
	productId: string;
	notifyUrl?: string;
	tradeId: string;
}

/**
 * `POST /consumes`, method `event.consume.pickup_code`: the `PICKUPCODE` order with its records,
 * to dispense next with Dispense. A code used before answers 10025 with its order id: that order
 * is output with `outcome: already_consumed`, so a re-run dispenses nothing twice (Dispense skips
 * records already dispensed). A lost answer is safe to ask again for the same reason.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<ConsumeInput>(this, {
		parse: (i, param) => {
			const machine = machineNo(param('machineNo', i, '', { extractValue: true }));
			const code = asText(param('code', i));
			if (!/^\d{6,10}$/.test(code)) throw invalid('Code', param('code', i), 'expected the 6 to 10 digits of a pickup code');
			const notifyUrl = optionalUrl('Notify URL', param('notifyUrl', i, ''));
			return {
				machineNo: machine,
				code,
				productId: positiveId('Product ID', param('productId', i, '', { extractValue: true })),
				notifyUrl: notifyUrl ? withMachineNo(notifyUrl, machine) : undefined,
				tradeId: tradeId(param('tradeId', i, '')) ?? generatedTradeId(),
			};
		},
		groupKey: (input) => input.machineNo,
		lanes: REQUEST_LANES,
		run: async (input, _i, creds) => {
			const signed: IDataObject = {
				machine_no: input.machineNo,
				method: 'event.consume.pickup_code',
				code: input.code,
				product_id: input.productId,
				trade_id: input.tradeId,
			};
			if (input.notifyUrl) signed.notify_url = input.notifyUrl;
			const base = { machine_no: input.machineNo, code: input.code, notify_url: input.notifyUrl ? maskUrlTokens(input.notifyUrl) : null };
			for (let attempt = 1; ; attempt++) {
				const sent = await trySend(this, creds, { method: 'POST', path: '/consumes', signed });
				if (sent.ok) return [{ ...base, ...((sent.envelope.data ?? {}) as IDataObject), outcome: 'consumed' }];
				const { code, data } = sent.failure.details;
				const orderId = (data as { order_id?: unknown } | undefined)?.order_id;
				if (code === CODE_ALREADY_USED && orderId !== undefined && orderId !== null && orderId !== '') {
					const order = await getOrder(this, creds, { machineNo: input.machineNo, orderId: String(orderId) });
					// Our own earlier attempt (its answer was lost) made this order: it carries our trade_id.
					if (attempt > 1 && order.trade_id === input.tradeId) return [{ ...base, ...order, outcome: 'consumed', answer_lost: true }];
					return [{ ...base, ...order, outcome: 'already_consumed', note: 'This code was used before; its order is shown instead (nothing new was created).' }];
				}
				if (!isRetryable(sent.failure) || attempt >= 3) throw sent.failure;
			}
		},
	});
}
