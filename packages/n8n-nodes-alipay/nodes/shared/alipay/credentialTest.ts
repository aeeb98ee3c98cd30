import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { keysTestResult } from '../payments/credentialTest';
import { readAlipay } from './credentials';

/** The credential's Test button (offline: fields present, keys parse), for every node that uses it. */
export async function alipayKeys(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return keysTestResult(() => readAlipay(credential.data ?? {}), 'Alipay');
}
