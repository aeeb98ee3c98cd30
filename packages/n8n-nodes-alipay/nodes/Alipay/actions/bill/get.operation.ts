import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { invalid } from '../../../shared/common/input';
import { runItems } from '../../../shared/common/items';
import { getAlipayBill } from '../../../shared/alipay/bills';
import type { AlipayCredentials } from '../../../shared/alipay/credentials';
import { loadAlipay } from '../account';

const show = { resource: ['bill'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Bill Date',
		hint: 'A past day as YYYY-MM-DD; a day\'s bill is ready after 10:00 China time the next day',
		name: 'billDate',
		type: 'string',
		required: true,
		default: '={{ $today.minus({ days: 1 }).toFormat("yyyy-MM-dd") }}',
		placeholder: '2026-11-30',
		description: 'The day of the trade bill (China time), e.g. yesterday. One item comes out per payment or refund row, then the summary.',
		displayOptions: { show },
	},
];

/** "2026-11-30", or an ISO date-time whose date is taken as written. */
export function billDate(value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : '';
	const day = /^(\d{4}-\d\d-\d\d)(T.*)?$/.exec(text)?.[1];
	const ms = day ? Date.parse(`${day}T00:00:00Z`) : NaN;
	if (!day || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw invalid('Bill Date', value, 'expected a day as YYYY-MM-DD, e.g. 2026-11-30');
	return day;
}

/** `alipay.data.dataservice.bill.downloadurl.query` (bill_type trade), then the zip it points to. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await runItems<{ billDate: string }, AlipayCredentials>(this, {
		credentials: async () => await loadAlipay(this),
		parse: (i, param) => ({ billDate: billDate(param('billDate', i)) }),
		groupKey: (input) => input.billDate,
		lanes: 2,
		run: async (input, i, creds) => await getAlipayBill(this, creds, input.billDate, i),
	});
}
