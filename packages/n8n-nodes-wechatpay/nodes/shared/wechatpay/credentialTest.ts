import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, IHttpRequestOptions, INodeCredentialTestResult } from 'n8n-workflow';

import { requestText, type Ctx } from '../payments/http';
import { decryptResource, weChatAuthorization, weChatHeaders, weChatSignatureProblem, type WeChatResource } from './api';
import { readWeChatPay, type WeChatPayCredentials } from './credentials';

/**
 * The credential's Test button proves every key online with one harmless call,
 * `GET /v3/certificates`: WeChat Pay accepts the request only if the Merchant Private Key (with its
 * Certificate Serial No) signed it; its answer must verify with the WeChat Pay Public Key (+ ID);
 * the certificate inside is encrypted with the APIv3 Key, like a notification, so it must decrypt.
 * A failure names the key that is wrong.
 */

const TEST_CALL_PATH = '/v3/certificates';
const error = (message: string): INodeCredentialTestResult => ({ status: 'Error', message });

/**
 * n8n gives a credential test only its legacy `request` helper (n8n-core CredentialTestContext);
 * this adapts it to the httpRequest shape the WeChat Pay calls use.
 */
function testContext(helpers: ICredentialTestFunctions['helpers']): Ctx {
	const httpRequest = async (options: IHttpRequestOptions) => {
		const response = (await helpers.request({
			method: options.method,
			uri: options.url,
			headers: options.headers,
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			timeout: options.timeout,
		})) as { statusCode: number; headers: IDataObject; body: unknown };
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body: typeof response.body === 'string' ? response.body : '' };
	};
	return { helpers: { httpRequest } as Ctx['helpers'], getNode: () => ({ id: 'credential-test', name: 'WeChat Pay credential test', type: 'credentialTest', typeVersion: 1, position: [0, 0], parameters: {} }) };
}

/** The proof itself, for any transport (tests run it through n8n-core's own credential-test context). */
export async function proveWeChatPayKeys(ctx: Ctx, creds: WeChatPayCredentials): Promise<INodeCredentialTestResult> {
	const sent = await requestText(ctx, {
		method: 'GET',
		url: `${creds.baseUrl}${TEST_CALL_PATH}`,
		headers: {
			Authorization: weChatAuthorization(creds, 'GET', TEST_CALL_PATH, ''),
			Accept: 'application/json',
			'Wechatpay-Serial': creds.publicKeyId,
			'User-Agent': 'n8n-nodes-wechatpay',
		},
	});
	if ('error' in sent) return error(`Could not reach WeChat Pay at the Base URL (${sent.error}). Check the Base URL and the network; no key was checked.`);
	let json: IDataObject = {};
	try {
		json = JSON.parse(sent.body) as IDataObject;
	} catch {
		// judged below by status and signature
	}
	const code = String(json.code ?? '');
	if (sent.statusCode === 401 && code === 'SIGN_ERROR') {
		return error(`Merchant Private Key / Certificate Serial No: WeChat Pay did not accept the request's signature (SIGN_ERROR ${String(json.message ?? '')}). Check that the key (apiclient_key.pem) and the serial number belong to the same merchant certificate of this Merchant ID.`.trim());
	}
	if (sent.statusCode >= 500) return error(`WeChat Pay answered HTTP ${sent.statusCode}; no key was checked. Try again later.`);
	const headers = weChatHeaders(sent.headers);
	if (typeof headers.serial === 'string' && headers.serial !== creds.publicKeyId) {
		return error(`WeChat Pay Public Key ID: WeChat Pay signed its answer with key "${headers.serial}", but the credential says "${creds.publicKeyId}". Copy the Public Key ID from the merchant platform (API security).`);
	}
	const problem = weChatSignatureProblem(headers, sent.body, creds.publicKey, creds.publicKeyId);
	if (problem?.startsWith('Wechatpay-Timestamp')) return error(`The answer's time is more than 5 minutes from this server's clock: set the n8n server's clock right (${problem}).`);
	if (problem) return error(`WeChat Pay Public Key: WeChat Pay's answer does not verify with it (${problem}). Copy the WeChat Pay public key (pub_key.pem) from the merchant platform (API security).`);
	if (sent.statusCode >= 400) return error(`WeChat Pay refused the test call: ${code || `HTTP ${sent.statusCode}`} ${String(json.message ?? '')}. The signature keys are right; check the Merchant ID.`.trim());
	const first = (Array.isArray(json.data) ? json.data[0] : undefined) as IDataObject | undefined;
	if (!first) return { status: 'OK', message: 'Merchant Private Key and WeChat Pay Public Key are proven. WeChat Pay sent no platform certificate, so the APIv3 Key is checked on the first notification.' };
	let certificate: string;
	try {
		certificate = decryptResource(creds.apiV3Key, (first.encrypt_certificate ?? {}) as WeChatResource);
	} catch {
		return error('APIv3 Key: the certificate WeChat Pay sent does not decrypt with it, so no notification would either. Copy the APIv3 key from the merchant platform (API security), 32 characters.');
	}
	if (!certificate.includes('-----BEGIN CERTIFICATE-----')) return error('APIv3 Key: WeChat Pay\'s answer decrypted, but not to a certificate.');
	return { status: 'OK', message: 'All keys proven by WeChat Pay: the Merchant Private Key signs, the WeChat Pay Public Key verifies, the APIv3 Key decrypts.' };
}

/** The credential's Test button, for every node that uses it: fields and keys offline first (naming the field), then online. */
export async function weChatPayKeys(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	let creds: WeChatPayCredentials;
	try {
		creds = readWeChatPay(credential.data ?? {});
	} catch (caught) {
		return error((caught as Error).message);
	}
	return await proveWeChatPayKeys(testContext(this.helpers), creds);
}
