import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { asText, invalid } from '../../../shared/common/input';
import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { outTradeNoField } from '../../../shared/payments/refundDescriptions';
import { outTradeNo } from '../../../shared/payments/refundFields';
import type { WeChatPayCredentials } from '../../../shared/wechatpay/credentials';
import { getPayment, paymentItem, type PaymentKey } from '../../../shared/wechatpay/payments';
import { loadWeChatPay } from '../account';
import { answerOf } from './call';

const show = { resource: ['payment'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Look Up By',
		name: 'lookUpBy',
		type: 'options',
		options: [
			{ name: 'Out Trade No', value: 'outTradeNo', description: 'Your order number (out_trade_no)' },
			{ name: 'Transaction ID', value: 'transactionId', description: 'WeChat Pay\'s payment number (transaction_id)' },
		],
		default: 'outTradeNo',
		displayOptions: { show },
	},
	{ ...outTradeNoField(show), displayOptions: { show: { ...show, lookUpBy: ['outTradeNo'] } } },
	{
		displayName: 'Transaction ID',
		hint: 'WeChat Pay\'s payment number: the trigger\'s or the bill\'s transaction_id',
		name: 'transactionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.transaction_id }}',
		description: 'WeChat Pay\'s own number of the payment (transaction_id)',
		displayOptions: { show: { ...show, lookUpBy: ['transactionId'] } },
	},
];

function transactionId(value: unknown): string {
	const text = asText(value);
	if (!/^\d{1,32}$/.test(text)) throw invalid('Transaction ID', value, 'expected WeChat Pay\'s transaction_id (digits), e.g. 4200001234202611300000000001');
	return text;
}

/** The payment as WeChat Pay knows it — the object the WeChat Pay Notification Trigger outputs, plus total_amount in yuan. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<PaymentKey, WeChatPayCredentials>(this, {
		credentials: async () => await loadWeChatPay(this),
		parse: (i, param) =>
			param('lookUpBy', i, 'outTradeNo') === 'transactionId' ? { transactionId: transactionId(param('transactionId', i)) } : { outTradeNo: outTradeNo(param('outTradeNo', i)) },
		groupKey: (key) => ('outTradeNo' in key ? key.outTradeNo : key.transactionId),
		lanes: REQUEST_LANES,
		run: async (key, i, creds) => [paymentItem(answerOf(this, await getPayment(this, creds, key), 'the payment look-up', i))],
	});
}
