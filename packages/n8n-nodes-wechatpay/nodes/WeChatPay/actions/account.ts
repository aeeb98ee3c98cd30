import type { IExecuteFunctions } from 'n8n-workflow';

import { inputNodeError } from '../../shared/common/input';
import type { RefundAdapter } from '../../shared/payments/refunds';
import { CREDENTIAL_TYPE, readWeChatPay, type WeChatPayCredentials } from '../../shared/wechatpay/credentials';
import { weChatPayRefunds } from '../../shared/wechatpay/refunds';

/** The credential, read and checked once per execution (bad keys: an error naming the field, nothing sent). */
export async function loadRefunds(ctx: IExecuteFunctions): Promise<RefundAdapter> {
	const raw = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		return weChatPayRefunds(readWeChatPay(raw));
	} catch (error) {
		throw inputNodeError(ctx.getNode(), (error as Error).message);
	}
}

/** The credential itself, for the bill and payment calls. */
export async function loadWeChatPay(ctx: IExecuteFunctions): Promise<WeChatPayCredentials> {
	const raw = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		return readWeChatPay(raw);
	} catch (error) {
		throw inputNodeError(ctx.getNode(), (error as Error).message);
	}
}
