import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { MACHINE_LANES } from '../../../shared/common/items';
import { finishPayment, type PaymentToFinish } from '../../../shared/dingshang/finishPayment';
import { runItems } from '../../../shared/dingshang/items';
import { machineNoField, orderIdField } from '../common.descriptions';
import type { Operation } from '../resource';
import { machineNo, minutesIn, optionalYuan, paidAt, positiveId, seconds } from '../validate';

export const option: Operation['option'] = {
	name: 'Finish Payment',
	description: 'Finish a paid order no workflow finished: dispense it late while the customer may still be there, else set it to Refund',
	action: 'Finish a payment',
};

const show = { resource: ['order'], operation: ['finishPayment'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Reads the order first and does what is still missing, once: a young payment is dispensed late; an older one (or a failed dispense) is set to Refund and comes out with outcome "refund_due" and its refund key — send those items to the WeChat Pay or Alipay Refund node. Running it again changes nothing.',
		name: 'finishNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...machineNoField('order', ['finishPayment']),
	orderIdField('order', ['finishPayment']),
	{
		displayName: 'Paid At',
		hint: 'When the customer paid: ISO 8601, or China time 2026-12-03 17:59:58 as in the bill',
		name: 'paidAt',
		type: 'string',
		required: true,
		default: '',
		placeholder: '2026-12-03 17:59:58',
		description: 'The payment time, e.g. the trade time of a bill row or the payment trigger\'s success time. A time without a zone is China time.',
		displayOptions: { show },
	},
	{
		displayName: 'Dispense Window (Minutes)',
		hint: 'Minutes after payment: younger → dispense late, older → refund',
		name: 'dispenseWindowMinutes',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 1440 },
		default: 3,
		description: 'How long after the payment the customer is likely still at the machine. Younger payments are dispensed late; older ones are set to Refund.',
		displayOptions: { show },
	},
	{
		displayName: 'Provider',
		hint: 'Who took the payment; copied to the output so the right refund node follows',
		name: 'provider',
		type: 'options',
		default: 'unknown',
		options: [
			{ name: 'Alipay', value: 'alipay' },
			{ name: 'Not Given', value: 'unknown' },
			{ name: 'WeChat Pay', value: 'weChatPay' },
		],
		description: 'The payment provider, copied to the output (provider) for routing the refund',
		displayOptions: { show },
	},
	{
		displayName: 'Out Trade No',
		hint: 'The payment\'s order number at the provider (out_trade_no); the refund node needs it',
		name: 'outTradeNo',
		type: 'string',
		default: '',
		description: 'The merchant order number of the payment, copied to the output for the refund node',
		displayOptions: { show },
	},
	{
		displayName: 'Transaction ID',
		hint: 'The provider\'s own payment number (optional); copied to the output',
		name: 'transactionId',
		type: 'string',
		default: '',
		description: 'The provider\'s transaction number (WeChat Pay transaction_id, Alipay trade_no), copied to the output',
		displayOptions: { show },
	},
	{
		displayName: 'Total Amount (Yuan)',
		hint: 'What the customer paid, in yuan; refunded in full when the order has one product',
		name: 'totalAmount',
		type: 'string',
		default: '',
		placeholder: '3.50',
		description: 'The amount paid, in yuan. With one product the refund is this amount; with several, each undispensed product\'s price.',
		displayOptions: { show },
	},
	{
		displayName: 'Already Refunded (Yuan)',
		hint: 'What the provider already refunded for this payment (from its bill); empty or 0 if none',
		name: 'refundedAmount',
		type: 'string',
		default: '',
		description: 'Yuan the provider already refunded for this payment. A refunded payment is never dispensed; a refund that covers what was not dispensed gives outcome "already_refunded".',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Max Wait for Machine',
				hint: 'Seconds to retry while the machine is busy; then outcome "later"',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 600 },
				default: 90,
				description: 'Seconds to keep retrying while the machine is still busy with another dispense. After that the item says outcome "later": run it again later.',
			},
		],
	},
];

interface FinishInput {
	payment: PaymentToFinish;
	windowMinutes: number;
	maxWaitSeconds: number;
}

/**
 * One item per payment with `outcome`: dispensed_late, already_dispensed, refund_due (what the
 * WeChat Pay / Alipay Refund node needs: out_trade_no, refund_key, refund_amount, total_amount),
 * already_refunded, needs_person (reason / reasonZh) or later (try again).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const now = Date.now();
	return await runItems<FinishInput>(this, {
		parse: (i, param) => {
			const options = param('options', i, {}) as IDataObject;
			const provider = param('provider', i, 'unknown');
			const text = (name: string) => String(param(name, i, '') ?? '').trim();
			const payment: PaymentToFinish = {
				machine_no: machineNo(param('machineNo', i, '', { extractValue: true })),
				order_id: positiveId('Order ID', param('orderId', i)),
				paid_at: paidAt(param('paidAt', i), now),
			};
			if (provider === 'weChatPay' || provider === 'alipay') payment.provider = provider;
			if (text('outTradeNo')) payment.out_trade_no = text('outTradeNo');
			if (text('transactionId')) payment.transaction_id = text('transactionId');
			const amount = optionalYuan('Total Amount (Yuan)', param('totalAmount', i, ''));
			if (amount !== undefined) payment.amount = amount;
			const refunded = optionalYuan('Already Refunded (Yuan)', param('refundedAmount', i, ''), 0);
			if (refunded) payment.refunded = refunded;
			return {
				payment,
				windowMinutes: minutesIn('Dispense Window (Minutes)', param('dispenseWindowMinutes', i, 3), 0.1, 1440),
				maxWaitSeconds: seconds('Max Wait for Machine', options.maxWaitSeconds ?? 90, 600),
			};
		},
		// One machine's payments one after another (finishPayment also takes the machine's turn to dispense).
		groupKey: (input) => input.payment.machine_no,
		lanes: MACHINE_LANES,
		run: async (input, _i, creds) => {
			const env = { ctx: this, creds, windowMinutes: input.windowMinutes, now: Date.now(), maxWaitSeconds: input.maxWaitSeconds };
			return [(await finishPayment(env, input.payment)).item];
		},
	});
}
