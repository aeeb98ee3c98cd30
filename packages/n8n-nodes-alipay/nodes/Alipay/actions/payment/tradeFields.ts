import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { asText, invalid } from '../../../shared/common/input';
import type { ParameterReader } from '../../../shared/common/itemParameters';
import { outTradeNo } from '../../../shared/payments/refundFields';

/** Which trade: by the merchant's Out Trade No or by Alipay's Trade No (Get and Close alike). */

export function tradeFields(operation: string): INodeProperties[] {
	const show = { resource: ['payment'], operation: [operation] };
	return [
		{
			displayName: 'Find By',
			name: 'findBy',
			type: 'options',
			options: [
				{ name: 'Out Trade No', value: 'outTradeNo', description: 'The merchant\'s order number (out_trade_no)' },
				{ name: 'Trade No', value: 'tradeNo', description: 'Alipay\'s own trade number (trade_no)' },
			],
			default: 'outTradeNo',
			displayOptions: { show },
		},
		{
			displayName: 'Out Trade No',
			hint: 'The payment\'s order number: the trigger\'s out_trade_no',
			name: 'outTradeNo',
			type: 'string',
			required: true,
			default: '={{ $json.out_trade_no }}',
			description: 'The merchant order number the payment was created with (out_trade_no)',
			displayOptions: { show: { ...show, findBy: ['outTradeNo'] } },
		},
		{
			displayName: 'Trade No',
			hint: 'Alipay\'s trade number: the trigger\'s trade_no',
			name: 'tradeNo',
			type: 'string',
			required: true,
			default: '={{ $json.trade_no }}',
			description: 'Alipay\'s number for the trade (trade_no), as the notification or the bill gives it',
			displayOptions: { show: { ...show, findBy: ['tradeNo'] } },
		},
	];
}

export interface TradeRef {
	outTradeNo?: string;
	tradeNo?: string;
}

export function readTradeRef(i: number, param: ParameterReader): TradeRef {
	if (param('findBy', i, 'outTradeNo') !== 'tradeNo') return { outTradeNo: outTradeNo(param('outTradeNo', i)) };
	const value = param('tradeNo', i);
	const text = asText(value);
	if (!/^\d{16,64}$/.test(text)) throw invalid('Trade No', value, 'expected Alipay\'s trade number (digits, e.g. 2026113022001400000000000001)');
	return { tradeNo: text };
}

export const tradeBiz = (ref: TradeRef): IDataObject => (ref.outTradeNo ? { out_trade_no: ref.outTradeNo } : { trade_no: ref.tradeNo });
