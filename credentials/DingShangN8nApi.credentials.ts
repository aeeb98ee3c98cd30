import type { IAuthenticateGeneric, Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * An API key of this n8n instance, for the Unfinished Payments trigger (it reads the executions
 * of your payment workflows). A credential of our own: community nodes may not use n8n's `n8nApi`.
 */
export class DingShangN8nApi implements ICredentialType {
	name = 'dingShangN8nApi';

	displayName = 'DingShang N8n API';

	icon: Icon = { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' };

	documentationUrl = 'https://docs.n8n.io/api/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'n8n URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:5678',
			placeholder: 'http://localhost:5678',
			hint: 'The address of this n8n as in your browser\'s address bar, e.g. http://localhost:5678',
			required: true,
			description: 'The address of this n8n (as in your browser), without /api/v1.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			hint: 'Settings → n8n API → Create an API key; allow reading workflows and executions',
			required: true,
			description: 'Settings → n8n API → Create an API key (scopes: workflow:read, workflow:list, execution:read, execution:list).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/\\/api\\/v1$/, "")}}',
			url: '/api/v1/workflows?limit=1',
		},
	};
}
