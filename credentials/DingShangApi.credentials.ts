import { API_PREFIX, CREDENTIAL_REFUSED_CODES, ERROR_CODES } from '../nodes/shared/dingshang/protocol';
import { payloadExpression } from '../nodes/shared/dingshang/signing';
import { PROBE_PARAMS, PROBE_PATH } from '../nodes/shared/dingshang/transport';

import type {
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
			hint: 'Keep the default unless DingShang gave you another address',
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
			hint: 'DingShang dashboard → Developer Center: the Appid, starting with "ds"',
			required: true,
			description: 'The Appid from the DingShang dashboard, usually "ds" followed by 16 characters',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			hint: 'Developer Center: the AppSecret, beside the Appid',
			required: true,
			description: 'The AppSecret from the DingShang dashboard, sent as a request header',
		},
		{
			displayName: 'Signing Key',
			name: 'signingKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			hint: 'Developer Center: the merchant signing key. Not the App Secret: a wrong key gives code 4006 (invalid sign).',
			required: true,
			description:
				'The merchant signing key shown in the DingShang developer centre, used to sign every payload. It is NOT the App Secret.',
		},
	];

	// No `authenticate`: n8n would then offer a "Custom API Call" (and this credential in the HTTP
	// Request node) that sends the headers but cannot sign a payload. The nodes send both headers
	// themselves (nodes/shared/transport.ts); the Signing Key never leaves this machine.

	// The Test button proves all four fields with the same harmless signed read as the trigger's
	// activation (transport.ts probeCredential): Get Order 1 of machine 00000000. Only a refusal of
	// the headers or the sign fails the test; "machine not found" is the expected answer. n8n 1.x
	// evaluates only body rules, so HTTP errors are let through and each refusal code is a rule.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: `${API_PREFIX}${PROBE_PATH}`,
			method: 'POST',
			headers: { Appid: '={{$credentials.appId}}', AppSecret: '={{$credentials.appSecret}}' },
			body: { payload: payloadExpression(PROBE_PARAMS, '$credentials.signingKey.trim()') },
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: CREDENTIAL_REFUSED_CODES.map((code) => ({
			type: 'responseSuccessBody' as const,
			properties: { key: 'code', value: code, message: `DingShang error ${code}: ${ERROR_CODES[code].en}` },
		})),
	};
}
