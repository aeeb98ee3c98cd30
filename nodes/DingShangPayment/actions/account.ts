import type { IExecuteFunctions } from 'n8n-workflow';

import { readAlipay, readWeChatPay } from '../../shared/payments/credentials';
import { CREDENTIAL_OF } from '../../shared/payments/descriptions';
import { badInput, type Provider } from '../../shared/payments/errors';
import type { Credentials } from '../../shared/payments/refunds';

/** The chosen provider's credential, read and checked once per execution (bad keys: an error naming the field). */
export async function loadAccount(ctx: IExecuteFunctions): Promise<Credentials> {
	const provider = ctx.getNodeParameter('provider', 0) as Provider;
	const raw = await ctx.getCredentials(CREDENTIAL_OF[provider]);
	try {
		return provider === 'weChatPay' ? { provider, creds: readWeChatPay(raw) } : { provider, creds: readAlipay(raw) };
	} catch (error) {
		// Only KeyError comes from here (a field empty or a key that does not parse).
		throw badInput(ctx.getNode(), (error as Error).message);
	}
}
