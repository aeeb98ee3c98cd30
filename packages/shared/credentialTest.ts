import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { readAlipay, readWeChatPay } from './credentials';

/**
 * The credentials' Test button. Every provider request is RSA-signed, which n8n's declarative
 * credential test cannot do, so this checks offline what can be: every field present, the keys
 * parse as RSA keys, the APIv3 key is 32 characters. The provider checks the rest on the first call.
 */
function result(check: () => void, provider: string): INodeCredentialTestResult {
	try {
		check();
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	return { status: 'OK', message: `All fields are filled in and the keys parse. ${provider} checks them itself on the first refund.` };
}

export async function weChatPayKeys(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return result(() => readWeChatPay(credential.data ?? {}), 'WeChat Pay');
}

export async function alipayKeys(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return result(() => readAlipay(credential.data ?? {}), 'Alipay');
}
