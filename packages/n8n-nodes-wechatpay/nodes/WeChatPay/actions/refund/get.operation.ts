import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readRefund, type Credentials } from '../../../shared/payments/refunds';
import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { loadAccount } from '../account';
import { outTradeNoField, refundKeyField } from './descriptions';
import { outTradeNo, refundKey } from './fields';
import { refundItem } from './output';

const show = { resource: ['refund'], operation: ['get'] };

export const description: INodeProperties[] = [
	// WeChat Pay finds a refund by its key alone; Alipay needs the payment too.
	outTradeNoField({ ...show, provider: ['alipay'] }),
	refundKeyField(show, 'The Refund Key the refund was created with (WeChat Pay out_refund_no / Alipay out_request_no)'),
];

/** WeChat Pay `GET /v3/refund/domestic/refunds/{out_refund_no}` · Alipay `alipay.trade.fastpay.refund.query`. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const provider = this.getNodeParameter('provider', 0) as Credentials['provider'];
	return await runItems<{ outTradeNo: string; refundKey: string }, Credentials>(this, {
		credentials: async () => await loadAccount(this),
		parse: (i, param) => ({
			outTradeNo: provider === 'alipay' ? outTradeNo(param('outTradeNo', i)) : '',
			refundKey: refundKey(param('refundKey', i)),
		}),
		groupKey: (input) => input.refundKey,
		lanes: REQUEST_LANES,
		run: async (input, i, account) => {
			const state = await readRefund(this, account, input.outTradeNo, input.refundKey, i);
			const item = refundItem(account.provider, input.outTradeNo, input.refundKey, state, false);
			return [item];
		},
	});
}
