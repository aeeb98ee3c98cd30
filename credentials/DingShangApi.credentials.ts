import { ERROR_CODES } from '../nodes/shared/protocol';

import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class DingShangApi implements ICredentialType {
	name = 'dingShangApi';

	displayName = 'DingShang API';

	icon: Icon = { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' };

	documentationUrl = 'https://docs.awish.vip';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://www.awish.vip',
			placeholder: 'https://www.awish.vip',
			required: true,
			description:
				'Address of the DingShang Open API. Keep the default unless you use a private deployment or the local sandbox. A trailing slash is fine.',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: 'ds0123456789abcdef',
			required: true,
			description: 'The Appid from the DingShang dashboard (开发者中心), usually "ds" followed by 16 characters',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The AppSecret from the DingShang dashboard (开发者中心), sent as a request header',
		},
		{
			displayName: 'Signing Key',
			name: 'signingKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The merchant signing key (商户密钥) shown in the DingShang developer centre, used to sign every payload. It is NOT the App Secret.',
		},
	];

	// Both headers go on every request; the signing key never leaves this machine (it only feeds the MD5 sign).
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Appid: '={{$credentials.appId}}',
				AppSecret: '={{$credentials.appSecret}}',
			},
		},
	};

	// n8n 1.x only evaluates body rules (status-code rules never fire), so HTTP errors are let through
	// and every known platform code becomes a rule whose message carries the code and its explanation.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/openapi/v1/ping',
			method: 'POST',
			ignoreHttpStatusErrors: true,
		},
		rules: Object.entries(ERROR_CODES).map(([code, text]) => ({
			type: 'responseSuccessBody' as const,
			properties: { key: 'code', value: Number(code), message: `DingShang error ${code}: ${text.en}` },
		})),
	};
}
