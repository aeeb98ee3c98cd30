import type { INodeProperties } from 'n8n-workflow';

type Show = Record<string, string[]>;

export const outTradeNoField = (show: Show): INodeProperties => ({
	displayName: 'Out Trade No',
	hint: 'The payment\'s order number: the trigger\'s out_trade_no',
	name: 'outTradeNo',
	type: 'string',
	required: true,
	default: '',
	placeholder: '={{ $json.out_trade_no }}',
	description: 'The payment\'s merchant order number, as the payment trigger outputs it (out_trade_no)',
	displayOptions: { show },
});

export const refundKeyField = (show: Show, description: string): INodeProperties => ({
	displayName: 'Refund Key',
	hint: 'Keep the default: the same key never pays out twice',
	name: 'refundKey',
	type: 'string',
	required: true,
	default: '={{ $json.refund_key }}',
	description,
	displayOptions: { show },
});
