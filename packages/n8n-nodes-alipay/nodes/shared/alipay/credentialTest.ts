import { randomBytes } from 'crypto';
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { ALIPAY_TRADE_QUERY_METHOD, readAlipayAnswer, signedAlipayRequest } from './api';
import { readAlipay, type AlipayCredentials } from './credentials';

/**
 * The credential's Test button, for every node that uses it. Offline first (fields present, keys
 * parse), then one harmless signed call: trade.query of a trade that cannot exist. Alipay checks
 * the App Private Key's signature (a refusal names it), and its answer must verify with the
 * Alipay Public Key (else that field is named). "Trade does not exist" is the expected answer.
 */

const error = (message: string): INodeCredentialTestResult => ({ status: 'Error', message });

/** The gateway's answer as its exact text (the signature covers the bytes as sent). */
async function post(ctx: ICredentialTestFunctions, creds: AlipayCredentials, body: string): Promise<string> {
	const answer = (await ctx.helpers.request({
		method: 'POST',
		uri: creds.gatewayUrl,
		body,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', Accept: 'application/json' },
		encoding: null,
		json: false,
		timeout: 20_000,
	})) as unknown;
	if (Buffer.isBuffer(answer)) return answer.toString('utf8');
	return typeof answer === 'string' ? answer : JSON.stringify(answer);
}

export async function alipayKeys(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	let creds: AlipayCredentials;
	try {
		creds = readAlipay(credential.data ?? {});
	} catch (failure) {
		return error((failure as Error).message);
	}
	const params = signedAlipayRequest(creds.appId, ALIPAY_TRADE_QUERY_METHOD, { out_trade_no: `n8n-key-test-${randomBytes(6).toString('hex')}` }, creds.privateKey);
	let text: string;
	try {
		text = await post(this, creds, new URLSearchParams(params).toString());
	} catch (failure) {
		const cause = failure as { code?: string; cause?: { code?: string }; httpCode?: string; message?: string };
		return error(`The "Gateway URL" could not be reached (${cause.cause?.code ?? cause.code ?? cause.httpCode ?? cause.message ?? 'network error'}).`);
	}
	const answer = readAlipayAnswer(text, ALIPAY_TRADE_QUERY_METHOD, creds.alipayPublicKey);
	if (!answer) return error('The "Gateway URL" answered with something that is not an Alipay gateway answer.');
	const subCode = String(answer.response.sub_code ?? '');
	if (subCode === 'isv.invalid-signature') {
		return error('Alipay refused the request signature: the "App Private Key" does not belong to this App ID (its public key is not the app public key uploaded to Alipay).');
	}
	if (subCode === 'isv.invalid-app-id') return error('Alipay knows no app with this "App ID".');
	if (!answer.signatureValid) {
		return error('Alipay\'s answer does not verify with the "Alipay Public Key": paste the Alipay public key from your app\'s interface signing settings, not your app public key.');
	}
	if (answer.response.code === '10000' || subCode === 'ACQ.TRADE_NOT_EXIST') {
		return { status: 'OK', message: 'Alipay accepted the App Private Key\'s signature, and its answer verified with the Alipay Public Key.' };
	}
	return error(`Alipay answered the test call with ${subCode || String(answer.response.code)} ${String(answer.response.sub_msg ?? answer.response.msg ?? '')}`.trim());
}
