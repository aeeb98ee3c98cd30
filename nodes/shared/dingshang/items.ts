import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runItems as runAllItems, type ItemTask } from '../common/items';
import { failureCode, failureMessageZh, toNodeError } from './failures';
import { getDingShangCredentials, type DingShangCredentials } from './transport';

/** The per-item runner (shared/common/items.ts) with DingShang's credential and error table. */
export async function runItems<T>(ctx: IExecuteFunctions, task: Omit<ItemTask<T, DingShangCredentials>, 'credentials'>): Promise<INodeExecutionData[]> {
	return await runAllItems(ctx, { credentials: async () => await getDingShangCredentials(ctx), ...task }, { toNodeError, code: failureCode, messageZh: failureMessageZh });
}
