import type { IDataObject } from 'n8n-workflow';

import { requestText, type Ctx } from '../payments/http';
import type { Reply } from '../payments/refunds';
import { ALIPAY_SUCCESS_CODE, readAlipayAnswer, signedAlipayRequest } from './api';
import type { AlipayCredentials } from './credentials';

/** One signed gateway call: a trusted (signature-verified) answer, a refusal (sub_code), or an unknown outcome. */
export async function callAlipay(ctx: Ctx, creds: AlipayCredentials, method: string, biz: IDataObject): Promise<Reply<IDataObject>> {
	const params = signedAlipayRequest(creds.appId, method, biz, creds.privateKey);
	const sent = await requestText(ctx, {
		method: 'POST',
		url: creds.gatewayUrl,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', Accept: 'application/json' },
		body: new URLSearchParams(params).toString(),
	});
	if ('error' in sent) return { kind: 'unknown', why: `no answer (${sent.error})`, sent: sent.sent };
	const answer = readAlipayAnswer(sent.body, method, creds.alipayPublicKey);
	if (!answer) return { kind: 'unknown', why: `HTTP ${sent.statusCode} with a body that is not an Alipay answer`, sent: true };
	const code = String(answer.response.code ?? '');
	if (code !== ALIPAY_SUCCESS_CODE) {
		const subCode = String(answer.response.sub_code ?? code);
		if (subCode === 'ACQ.SYSTEM_ERROR' || code === '20000') return { kind: 'unknown', why: `${subCode} ${String(answer.response.sub_msg ?? '')}`.trim(), sent: true };
		return { kind: 'refused', code: subCode, message: String(answer.response.sub_msg ?? answer.response.msg ?? '') };
	}
	if (!answer.signatureValid) return { kind: 'unknown', why: `answer not trusted: ${answer.signed ? 'sign does not verify with the Alipay public key' : 'answer is not signed'}`, sent: true };
	return { kind: 'answer', value: answer.response as IDataObject };
}

