import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { providerRefusal } from '../../../shared/payments/errors';
import { ALIPAY_TRADE_CLOSE_METHOD } from '../../../shared/alipay/api';
import type { AlipayCredentials } from '../../../shared/alipay/credentials';
import { callAlipay } from '../../../shared/alipay/gateway';
import { ALIPAY_CLOSE_WORDS } from '../../../shared/alipay/words';
import { loadAlipay } from '../account';
import { readTradeRef, tradeBiz, tradeFields, type TradeRef } from './tradeFields';

export const description: INodeProperties[] = tradeFields('close');

/** `alipay.trade.close`: a trade waiting for the buyer can no longer be paid; a paid one is refused (refund it instead). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<TradeRef, AlipayCredentials>(this, {
		credentials: async () => await loadAlipay(this),
		parse: (i, param) => readTradeRef(i, param),
		groupKey: (ref) => ref.outTradeNo ?? ref.tradeNo ?? '',
		lanes: REQUEST_LANES,
		run: async (ref, i, creds) => {
			const reply = await callAlipay(this, creds, ALIPAY_TRADE_CLOSE_METHOD, tradeBiz(ref));
			if (reply.kind === 'answer') {
				return [
					{
						closed: true,
						out_trade_no: reply.value.out_trade_no ?? ref.outTradeNo ?? null,
						trade_no: reply.value.trade_no ?? ref.tradeNo ?? null,
						reason: 'Alipay closed the trade: it can no longer be paid.',
						reasonZh: '支付宝已关闭该交易，不能再付款。',
					},
				];
			}
			if (reply.kind === 'refused') throw providerRefusal(this.getNode(), ALIPAY_CLOSE_WORDS, reply.code, reply.message, i);
			const message = `Alipay: no usable answer to the close (${reply.why})`;
			const error = new NodeApiError(this.getNode(), { message }, { message, description: 'Whether Alipay closed the trade is unknown. Run it again (closing twice is harmless), or check it with Payment → Get.', itemIndex: i });
			error.message = message;
			throw error;
		},
	});
}
