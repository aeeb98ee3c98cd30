import type { IExecuteFunctions } from 'n8n-workflow';

import { inputNodeError } from '../../shared/common/input';
import type { RefundAdapter } from '../../shared/payments/refunds';
import { CREDENTIAL_TYPE, readAlipay, type AlipayCredentials } from '../../shared/alipay/credentials';
import { alipayRefunds } from '../../shared/alipay/refunds';

/** The credential, read and checked once per execution (bad keys: an error naming the field, nothing sent). */
export async function loadRefunds(ctx: IExecuteFunctions): Promise<RefundAdapter> {
	const raw = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		return alipayRefunds(readAlipay(raw));
	} catch (error) {
		throw inputNodeError(ctx.getNode(), (error as Error).message);
	}
}

/** The credential for the bill and payment operations (checked the same way). */
export async function loadAlipay(ctx: IExecuteFunctions): Promise<AlipayCredentials> {
	const raw = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		return readAlipay(raw);
	} catch (error) {
		throw inputNodeError(ctx.getNode(), (error as Error).message);
	}
}
