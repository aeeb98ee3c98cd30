import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { outTradeNoField, refundKeyField } from '../../../shared/payments/refundDescriptions';
import { amountFen, outTradeNo, refundKey } from '../../../shared/payments/refundFields';
import { refundItem } from '../../../shared/payments/refundOutput';
import { createRefund, type RefundAdapter } from '../../../shared/payments/refunds';
import { loadRefunds } from '../account';

const show = { resource: ['refund'], operation: ['create'] };

export const description: INodeProperties[] = [
	outTradeNoField(show),
	{
		displayName: 'Refund Amount (Yuan)',
		hint: 'Yuan, e.g. 3.5; at most what was paid',
		name: 'refundAmount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		required: true,
		default: 0,
		description: 'How much to give back, in yuan, e.g. 3.5; at most what was paid',
		displayOptions: { show },
	},
	refundKeyField(show, 'Stands for this one refund: sent as out_request_no, so a repeated key never pays out twice. Default: the refund_key of a failed dispense.'),
	{
		displayName: 'Reason',
		hint: 'Shown to the customer, at most 80 characters',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'Dispense failed',
		description: 'Shown to the customer with the refund (at most 80 characters)',
		displayOptions: { show },
	},
];

interface CreateInput {
	outTradeNo: string;
	refundKey: string;
	refundFen: number;
	reason?: string;
}

/** `alipay.trade.refund`, read first (see shared/payments/refunds.ts). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const continueOnFail = this.continueOnFail();
	return await runItems<CreateInput, RefundAdapter>(this, {
		credentials: async () => await loadRefunds(this),
		parse: (i, param) => {
			const refundFen = amountFen('Refund Amount (Yuan)', param('refundAmount', i));
			const reason = String(param('reason', i, '') ?? '').trim();
			return {
				outTradeNo: outTradeNo(param('outTradeNo', i)),
				refundKey: refundKey(param('refundKey', i)),
				refundFen,
				reason: reason === '' ? undefined : reason.slice(0, 80),
			};
		},
		// One payment's refunds one after another: the provider checks each against what is left.
		groupKey: (input) => input.outTradeNo,
		lanes: REQUEST_LANES,
		run: async (input, i, refunds) => {
			const { state, existed } = await createRefund(this, refunds, input, i);
			const item = refundItem(refunds.name, input.outTradeNo, input.refundKey, state, existed);
			if (item.outcome !== 'failed') return [item];
			// Money did not go back: the node turns red (or, with On Error → Continue, the item says so).
			const error = new NodeApiError(this.getNode(), { message: String(item.reason) }, { message: String(item.reason), description: String(item.reasonZh), itemIndex: i });
			error.message = String(item.reason);
			if (!continueOnFail) throw error;
			return [{ ...item, error: error.message }];
		},
	});
}
