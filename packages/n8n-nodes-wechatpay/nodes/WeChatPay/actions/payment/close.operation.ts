import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { outTradeNoField } from '../../../shared/payments/refundDescriptions';
import { outTradeNo } from '../../../shared/payments/refundFields';
import type { WeChatPayCredentials } from '../../../shared/wechatpay/credentials';
import { closePayment } from '../../../shared/wechatpay/payments';
import { loadWeChatPay } from '../account';
import { answerOf } from './call';

const show = { resource: ['payment'], operation: ['close'] };

export const description: INodeProperties[] = [outTradeNoField(show)];

/** `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` → 204. A paid order is refused (ORDERPAID). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<string, WeChatPayCredentials>(this, {
		credentials: async () => await loadWeChatPay(this),
		parse: (i, param) => outTradeNo(param('outTradeNo', i)),
		groupKey: (key) => key,
		lanes: REQUEST_LANES,
		run: async (key, i, creds) => {
			answerOf(this, await closePayment(this, creds, key), 'closing the order', i);
			return [{ closed: true, out_trade_no: key }];
		},
	});
}
