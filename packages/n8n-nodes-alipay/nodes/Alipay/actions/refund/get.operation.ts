import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { outTradeNoField, refundKeyField } from '../../../shared/payments/refundDescriptions';
import { outTradeNo, refundKey } from '../../../shared/payments/refundFields';
import { refundItem } from '../../../shared/payments/refundOutput';
import { readRefund, type RefundAdapter } from '../../../shared/payments/refunds';
import { loadRefunds } from '../account';

const show = { resource: ['refund'], operation: ['get'] };

export const description: INodeProperties[] = [
	// Alipay finds a refund by the payment and the key together.
	outTradeNoField(show),
	refundKeyField(show, 'The Refund Key the refund was created with (out_request_no)'),
];

/** `alipay.trade.fastpay.refund.query`. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<{ outTradeNo: string; refundKey: string }, RefundAdapter>(this, {
		credentials: async () => await loadRefunds(this),
		parse: (i, param) => ({ outTradeNo: outTradeNo(param('outTradeNo', i)), refundKey: refundKey(param('refundKey', i)) }),
		groupKey: (input) => input.refundKey,
		lanes: REQUEST_LANES,
		run: async (input, i, refunds) => {
			const state = await readRefund(this, refunds, input.outTradeNo, input.refundKey, i);
			return [refundItem(refunds.name, input.outTradeNo, input.refundKey, state, false)];
		},
	});
}
