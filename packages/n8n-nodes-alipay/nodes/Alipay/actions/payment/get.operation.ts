import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { providerRefusal } from '../../../shared/payments/errors';
import { ALIPAY_TRADE_QUERY_METHOD } from '../../../shared/alipay/api';
import type { AlipayCredentials } from '../../../shared/alipay/credentials';
import { callAlipay } from '../../../shared/alipay/gateway';
import { notFoundItem, tradeItem } from '../../../shared/alipay/trades';
import { ALIPAY_WORDS } from '../../../shared/alipay/words';
import { loadAlipay } from '../account';
import { readTradeRef, tradeBiz, tradeFields, type TradeRef } from './tradeFields';

export const description: INodeProperties[] = tradeFields('get');

/** `alipay.trade.query`: paid, waiting, closed, or not_found (an item, not an error). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<TradeRef, AlipayCredentials>(this, {
		credentials: async () => await loadAlipay(this),
		parse: (i, param) => readTradeRef(i, param),
		groupKey: (ref) => ref.outTradeNo ?? ref.tradeNo ?? '',
		lanes: REQUEST_LANES,
		run: async (ref, i, creds) => {
			const reply = await callAlipay(this, creds, ALIPAY_TRADE_QUERY_METHOD, tradeBiz(ref));
			if (reply.kind === 'answer') return [tradeItem(reply.value)];
			if (reply.kind === 'refused' && reply.code === 'ACQ.TRADE_NOT_EXIST') return [notFoundItem(ref.outTradeNo, ref.tradeNo)];
			if (reply.kind === 'refused') throw providerRefusal(this.getNode(), ALIPAY_WORDS, reply.code, reply.message, i);
			const message = `Alipay: the payment could not be read (${reply.why})`;
			const error = new NodeApiError(this.getNode(), { message }, { message, description: 'Nothing was changed. Check the credential and the network, then run it again.', itemIndex: i });
			error.message = message;
			throw error;
		},
	});
}
