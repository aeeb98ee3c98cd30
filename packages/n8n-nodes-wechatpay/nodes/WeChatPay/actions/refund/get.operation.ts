import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { refundKeyField } from '../../../shared/payments/refundDescriptions';
import { refundKey } from '../../../shared/payments/refundFields';
import { refundItem } from '../../../shared/payments/refundOutput';
import { readRefund, type RefundAdapter } from '../../../shared/payments/refunds';
import { loadRefunds } from '../account';

const show = { resource: ['refund'], operation: ['get'] };

export const description: INodeProperties[] = [
	// WeChat Pay finds a refund by its key alone.
	refundKeyField(show, 'The Refund Key the refund was created with (out_refund_no)'),
];

/** `GET /v3/refund/domestic/refunds/{out_refund_no}`. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<{ refundKey: string }, RefundAdapter>(this, {
		credentials: async () => await loadRefunds(this),
		parse: (i, param) => ({ refundKey: refundKey(param('refundKey', i)) }),
		groupKey: (input) => input.refundKey,
		lanes: REQUEST_LANES,
		run: async (input, i, refunds) => {
			const state = await readRefund(this, refunds, '', input.refundKey, i);
			return [refundItem(refunds.name, state?.outTradeNo ?? '', input.refundKey, state, false)];
		},
	});
}
