import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { toChinaTime } from '../../../shared/common/chinaTime';
import { asText, invalid } from '../../../shared/common/input';
import { REQUEST_LANES, runItems } from '../../../shared/common/items';
import { providerRefusal } from '../../../shared/payments/errors';
import { BILL_TYPES, getBill, type BillType } from '../../../shared/wechatpay/bills';
import { SUMMARY_COLUMNS } from '../../../shared/wechatpay/billFile';
import type { WeChatPayCredentials } from '../../../shared/wechatpay/credentials';
import { WECHAT_PAY_BILL_WORDS } from '../../../shared/wechatpay/words';
import { loadWeChatPay } from '../account';

const show = { resource: ['bill'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Bill Date',
		hint: 'YYYY-MM-DD, China time. Default: yesterday. WeChat Pay makes a day\'s bill after 10:00 the next day.',
		name: 'billDate',
		type: 'string',
		required: true,
		default: '={{ $now.setZone("Asia/Shanghai").minus({ days: 1 }).toFormat("yyyy-MM-dd") }}',
		placeholder: '2026-11-30',
		description: 'The day of the bill (China time), at most 3 months back',
		displayOptions: { show },
	},
	{
		displayName: 'Bill Type',
		name: 'billType',
		type: 'options',
		options: [
			{ name: 'All (Payments and Refunds)', value: 'ALL', description: 'Every payment and every refund of the day' },
			{ name: 'Payments', value: 'SUCCESS', description: 'The payments of the day only' },
			{ name: 'Refunds', value: 'REFUND', description: 'The refunds of the day only, with their status as of that day' },
		],
		default: 'ALL',
		description: 'Which rows the bill holds',
		displayOptions: { show },
	},
];

function billDate(value: unknown): string {
	const text = asText(value);
	const date = /^\d{4}-\d\d-\d\d$/.test(text) ? text : toChinaTime(value)?.slice(0, 10);
	if (!date || Number.isNaN(Date.parse(`${date}T00:00:00+08:00`))) throw invalid('Bill Date', value, 'expected a day as YYYY-MM-DD, e.g. 2026-11-30');
	return date;
}

/** No bill (no payment, no refund that day): the summary alone, all zero. */
function emptySummary(date: string, type: BillType): IDataObject {
	const zeros = Object.fromEntries(Object.values(SUMMARY_COLUMNS).map(([field]) => [field, 0]));
	return { row_type: 'summary', bill_date: date, bill_type: type, ...zeros, note: 'WeChat Pay has no bill for this day: no payment and no refund.' };
}

/** `GET /v3/bill/tradebill`, then the file (gzip, SHA1 checked): rows with `row_type: 'trade'`, then the summary. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<{ date: string; type: BillType }, WeChatPayCredentials>(this, {
		credentials: async () => await loadWeChatPay(this),
		parse: (i, param) => {
			const type = String(param('billType', i, 'ALL')) as BillType;
			if (!BILL_TYPES.includes(type)) throw invalid('Bill Type', type, 'expected ALL, SUCCESS or REFUND');
			return { date: billDate(param('billDate', i)), type };
		},
		groupKey: (input) => `${input.date}|${input.type}`,
		lanes: REQUEST_LANES,
		run: async (input, i, creds) => {
			const result = await getBill(this, creds, input.date, input.type);
			if ('bill' in result) return [...result.bill.rows, result.bill.summary];
			if ('noBill' in result) return [emptySummary(input.date, input.type)];
			if ('refused' in result) throw providerRefusal(this.getNode(), WECHAT_PAY_BILL_WORDS, result.refused.code, result.refused.message, i, result.refused.status);
			const message = `WeChat Pay bill of ${input.date}: ${result.failed}`;
			const error = new NodeApiError(this.getNode(), { message }, { message, itemIndex: i });
			error.message = message;
			throw error;
		},
	});
}
