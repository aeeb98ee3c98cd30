import type { INodeCredentialTestResult } from 'n8n-workflow';

/**
 * The credentials' Test button. Every provider request is RSA-signed, which n8n's declarative
 * credential test cannot do, so this checks offline what can be: every field present, the keys
 * parse as RSA keys. The provider checks the rest on the first call.
 */
export function keysTestResult(check: () => void, provider: string): INodeCredentialTestResult {
	try {
		check();
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	return { status: 'OK', message: `All fields are filled in and the keys parse. ${provider} checks them itself on the first refund.` };
}
