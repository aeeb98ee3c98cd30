/**
 * Self-tests of the harness (test/helpers/n8n/: engine.ts, credentialTest.ts, webhookRunner.ts)
 * with tiny test-only node types. They prove that n8n-core's real machinery is in the loop, over
 * real HTTP on 127.0.0.1, and that what the harness does not serve is refused, not faked.
 */
import { testCredential } from '../helpers/n8n/credentialTest';
import { runNode } from '../helpers/n8n/engine';
import { startWebhookHarness, type WebhookHarness } from '../helpers/n8n/webhookRunner';

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

// ------------------------------------------------------------------------------------------------
// A local API: records requests, answers by path.
// ------------------------------------------------------------------------------------------------
interface Seen {
	method?: string;
	url?: string;
	headers: IncomingHttpHeaders;
	body: string;
}
let api: Server;
let apiUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
	api = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			seen.push({ method: req.method, url: req.url, headers: req.headers, body });
			const json = (status: number, data: unknown, extra: Record<string, string> = {}) => {
				res.writeHead(status, { 'Content-Type': 'application/json', ...extra });
				res.end(JSON.stringify(data));
			};
			const path = (req.url ?? '').split('?')[0];
			if (path === '/slow') return void setTimeout(() => json(200, { late: true }), 1500);
			if (path === '/missing') return json(404, { error: 'no such thing' });
			if (path === '/boom') return json(500, { error: 'server exploded' });
			if (path === '/ping') {
				if (req.headers['x-api-key'] !== 'good-key') return json(401, { code: 10014, msg: 'bad key' });
				return json(200, { code: 0, msg: 'ok' });
			}
			if (path === '/ping-soft') return json(200, { code: 4009, msg: 'bad secret' }); // 200 but failure in body
			json(200, { ok: true, path }, { 'X-Echo': 'yes' });
		});
	});
	await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
	apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
	api.closeAllConnections();
	await new Promise((r) => api.close(r));
});
beforeEach(() => (seen.length = 0));

// ------------------------------------------------------------------------------------------------
// Test-only credential + node types
// ------------------------------------------------------------------------------------------------
const demoApi: ICredentialType = {
	name: 'demoApi',
	displayName: 'Demo API',
	properties: [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:9' },
		{ displayName: 'Region', name: 'region', type: 'string', default: 'cn-east' },
	],
	authenticate: {
		type: 'generic',
		properties: { headers: { 'X-Api-Key': '={{$credentials.apiKey}}' }, qs: { region: '={{$credentials.region}}' } },
	},
	test: {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/ping' },
		rules: [{ type: 'responseSuccessBody', properties: { key: 'code', value: 4009, message: 'App Secret is wrong' } }],
	},
};

/** Programmatic node: GET <baseUrl><path> with auth, per item; options exercise httpRequest flags. */
const demoNode: INodeType = {
	description: {
		displayName: 'Demo',
		name: 'demo',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Demo' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'demoApi', required: true }],
		properties: [
			{ displayName: 'Path', name: 'path', type: 'string', default: '/default-path' },
			{ displayName: 'Full Response', name: 'fullResponse', type: 'boolean', default: false },
			{ displayName: 'Ignore HTTP Errors', name: 'ignoreErrors', type: 'boolean', default: false },
			{ displayName: 'Timeout', name: 'timeout', type: 'number', default: 0 },
			// true: plain this.helpers.httpRequest with the key set by hand (no credentials helper)
			{ displayName: 'Plain', name: 'plain', type: 'boolean', default: false },
		],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const type = 'demoApi';
		const creds = await this.getCredentials(type);
		for (let i = 0; i < this.getInputData().length; i++) {
			try {
				const timeout = this.getNodeParameter('timeout', i) as number;
				const options = {
					method: 'GET' as const,
					url: `${creds.baseUrl as string}${this.getNodeParameter('path', i) as string}`,
					json: true,
					returnFullResponse: this.getNodeParameter('fullResponse', i) as boolean,
					ignoreHttpStatusErrors: this.getNodeParameter('ignoreErrors', i) as boolean,
					...(timeout ? { timeout } : {}),
				};
				const response = this.getNodeParameter('plain', i)
					? await this.helpers.httpRequest({ ...options, headers: { 'X-Api-Key': creds.apiKey as string } })
					: await this.helpers.httpRequestWithAuthentication.call(this, type, options);
				const counter = this.getWorkflowStaticData('node');
				counter.calls = ((counter.calls as number) ?? 0) + 1;
				out.push({ json: { response, input: this.getInputData()[i].json }, pairedItem: i });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: i });
					continue;
				}
				throw error;
			}
		}
		return [out];
	},
};

const creds = () => ({ demoApi: { apiKey: 'good-key', baseUrl: apiUrl } });

// ------------------------------------------------------------------------------------------------
describe('runNode (WorkflowExecute)', () => {
	test('credentials, generic authenticate (headers + qs), credential defaults, parameter defaults', async () => {
		const { items, error } = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: {}, // path comes from the description default (added by the Workflow constructor)
			items: [{ n: 1 }, { n: 2 }],
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(items[1].json).toEqual({ response: { ok: true, path: '/default-path' }, input: { n: 2 } });
		expect(seen).toHaveLength(2);
		expect(seen[0].headers['x-api-key']).toBe('good-key');
		expect(seen[0].url).toBe('/default-path?region=cn-east'); // default of an omitted credential field
	});

	test('credential types needing more of n8n\'s credentials helper are refused, not half-served', async () => {
		const functionAuth: ICredentialType = { ...demoApi, name: 'fnApi', authenticate: async (_credentials, requestOptions) => requestOptions };
		const oauth: ICredentialType = { ...demoApi, name: 'myOAuth2Api', authenticate: undefined, extends: ['oAuth2Api'] };
		for (const type of [functionAuth, oauth]) {
			await expect(
				runNode({ nodeTypes: { demo: demoNode }, credentialTypes: { demoApi, [type.name]: type }, credentials: creds(), type: 'demo', parameters: {} }),
			).rejects.toThrow(/which the test harness does not support/);
		}
		const { error } = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: { demoApi: { apiKey: '={{ $env.KEY }}', baseUrl: apiUrl } },
			type: 'demo',
			parameters: {},
		});
		expect(error?.message).toMatch(/holds an expression, which the test harness does not resolve/);
	});

	test('httpRequest: returnFullResponse and ignoreHttpStatusErrors', async () => {
		const full = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: { path: '/full', fullResponse: true, plain: true },
		});
		const response = full.items[0].json.response as IDataObject;
		expect(response.statusCode).toBe(200);
		expect((response.headers as IDataObject)['x-echo']).toBe('yes');
		expect(response.body).toEqual({ ok: true, path: '/full' });
		expect(seen[0].headers['x-api-key']).toBe('good-key');
		expect(seen[0].url).toBe('/full'); // no credentials helper involved: no region qs

		const ignored = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: { path: '/missing', fullResponse: true, ignoreErrors: true, plain: true },
		});
		expect(ignored.error).toBeUndefined();
		expect(ignored.items[0].json.response).toMatchObject({ statusCode: 404, body: { error: 'no such thing' } });
	});

	test('httpRequest: timeout fails the node; the error is n8n-core\'s NodeApiError', async () => {
		const { items, error } = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: { path: '/slow', timeout: 200, plain: true },
		});
		expect(items).toEqual([]);
		expect(error).toBeDefined();
		expect(String(error!.message)).toMatch(/timeout|timed out|aborted/i);
	});

	test('HTTP 500 without continueOnFail → node error; with continueOnFail → error item', async () => {
		const failed = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: { path: '/boom' },
		});
		expect(failed.items).toEqual([]);
		expect(failed.error).toMatchObject({ httpCode: '500' });
		expect(failed.run.data.resultData.lastNodeExecuted).toBe('Node Under Test');

		const continued = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: { path: '/boom' },
			continueOnFail: true,
		});
		expect(continued.error).toBeUndefined();
		expect(continued.items).toHaveLength(1);
		expect(continued.items[0].json.error).toBe('The service was not able to process your request');
	});

	test('missing credentials: n8n-core\'s own error', async () => {
		const { error } = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			type: 'demo',
			parameters: {},
		});
		expect(error?.message).toBe('Node does not have any credentials set');
	});

	test('workflow static data', async () => {
		const { staticData } = await runNode({
			nodeTypes: { demo: demoNode },
			credentialTypes: { demoApi },
			credentials: creds(),
			type: 'demo',
			parameters: {},
			items: [{}, {}],
			staticData: { 'node:Node Under Test': { calls: 5 } },
		});
		expect(staticData).toEqual({ 'node:Node Under Test': { calls: 7 } });
	});
});

// ------------------------------------------------------------------------------------------------
describe('testCredential (CredentialsTester)', () => {
	test('OK, HTTP 401, responseSuccessBody rule, connection refused', async () => {
		expect(await testCredential(demoApi, { apiKey: 'good-key', baseUrl: apiUrl })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen[0].headers['x-api-key']).toBe('good-key'); // authenticate applied
		expect(await testCredential(demoApi, { apiKey: 'bad', baseUrl: apiUrl })).toEqual({
			status: 'Error',
			message: 'Unauthorized', // n8n 2.x: the response's status text (n8n 1.x: the NodeApiError's text)
		});
		const soft = { ...demoApi, test: { ...demoApi.test!, request: { ...demoApi.test!.request, url: '/ping-soft' } } };
		expect(await testCredential(soft, { apiKey: 'x', baseUrl: apiUrl })).toEqual({
			status: 'Error',
			message: 'App Secret is wrong',
		});
		expect(await testCredential(demoApi, { apiKey: 'x', baseUrl: 'http://127.0.0.1:9' })).toEqual({
			status: 'Error',
			message: 'ECONNREFUSED', // n8n 2.x: the cause's code (n8n 1.x: 'The service refused the connection - perhaps it is offline')
		});
	});

	// n8n 2.x (n8n-workflow 2.x): NodeApiError keeps its `cause`, so the CLI's responseCode branch is
	// reached and the rule's message is shown (n8n 1.123 lost the cause and never applied it; see credentialTest.ts).
	test('responseCode rules apply (n8n 2.x keeps the NodeApiError cause)', async () => {
		const coded: ICredentialType = {
			...demoApi,
			test: { request: demoApi.test!.request, rules: [{ type: 'responseCode', properties: { value: 401, message: 'Key rejected' } }] },
		};
		expect(await testCredential(coded, { apiKey: 'bad', baseUrl: apiUrl })).toEqual({
			status: 'Error',
			message: 'Key rejected',
		});
	});

	test('a credential without its own `test` request is refused (testedBy functions are called directly)', async () => {
		const { test: _dropped, ...withoutTest } = demoApi;
		await expect(testCredential(withoutTest, {})).rejects.toThrow(/has no `test` request/);
	});
});

// ------------------------------------------------------------------------------------------------
// Trigger: bearer-token check (401 written by the node), replay guard in static data, echo of
// what n8n's WebhookContext hands the node.
// ------------------------------------------------------------------------------------------------
const hookApi: ICredentialType = {
	name: 'hookApi',
	displayName: 'Hook',
	properties: [{ displayName: 'Token', name: 'token', type: 'string', default: '' }],
};

function triggerType(webhook: Partial<NonNullable<INodeType['description']['webhooks']>[number]> = {}): INodeType {
	return {
		description: {
			displayName: 'Demo Trigger',
			name: 'demoTrigger',
			group: ['trigger'],
			version: 1,
			description: 'test trigger',
			defaults: { name: 'Demo Trigger' },
			inputs: [],
			outputs: ['main'],
			credentials: [{ name: 'hookApi', required: true }],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'callback', ...webhook }],
			properties: [{ displayName: 'Mode', name: 'mode', type: 'string', default: 'run' }],
		},
		async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
			const req = this.getRequestObject();
			const mode = this.getNodeParameter('mode') as string;
			const { token } = await this.getCredentials('hookApi');
			if (this.getHeaderData().authorization !== `Bearer ${String(token)}`) {
				this.getResponseObject().status(401).json({ error: 'unauthorized' });
				return { noWebhookResponse: true };
			}
			const seenIds = this.getWorkflowStaticData('node');
			const id = String(this.getQueryData() && (this.getQueryData() as IDataObject).id);
			if (seenIds[id]) return { webhookResponse: { duplicate: id } }; // answered, no execution
			seenIds[id] = true;
			if (mode === 'throw') throw new Error('exploded after touching static data');
			if (mode === 'silent') return {};
			const rawBody = (req as unknown as { rawBody?: Buffer }).rawBody;
			return {
				workflowData: [
					[
						{
							json: {
								body: this.getBodyData() ?? null,
								rawBody: rawBody === undefined ? null : rawBody.toString('utf8'),
								query: this.getQueryData() as IDataObject,
								contentType: (req as unknown as { contentType?: string }).contentType ?? null,
								url: this.getNodeWebhookUrl('default') ?? null,
							},
						},
					],
				],
			};
		},
	};
}

describe('startWebhookHarness (production webhook)', () => {
	let hook: WebhookHarness;
	const start = async (type = triggerType(), mode = 'run') => {
		hook = await startWebhookHarness({
			nodeType: type,
			typeName: 'demoTrigger',
			credentialTypes: { hookApi },
			credentials: { hookApi: { token: 's3cret' } },
			parameters: { mode },
			webhookId: 'c0ffee00-0000-4000-8000-000000000001',
		});
	};
	afterEach(async () => await hook?.close());
	const post = (query: string, body: string, headers: Record<string, string> = {}) =>
		fetch(`${hook.webhookUrl}?${query}`, {
			method: 'POST',
			body,
			headers: { Authorization: 'Bearer s3cret', 'Content-Type': 'application/json', ...headers },
		});

	test('URL shape; JSON body, rawBody, query, getNodeWebhookUrl; execution recorded', async () => {
		await start();
		expect(hook.webhookUrl).toBe(`${hook.baseUrl}/webhook/c0ffee00-0000-4000-8000-000000000001/callback`);
		const res = await post('id=1', '{"a":1}', { 'Content-Type': 'application/json; charset=utf-8' });
		expect(res.status).toBe(200);
		// No responseData on the webhook description → n8n's default 'firstEntryJson' is what
		// extractWebhookOnReceivedResponse returns (see webhookRunner.ts); mirrored as-is.
		expect(await res.text()).toBe('firstEntryJson');
		expect(hook.executions).toHaveLength(1);
		expect(hook.executions[0][0][0].json).toEqual({
			body: { a: 1 },
			rawBody: '{"a":1}',
			query: { id: '1' },
			contentType: 'application/json',
			url: hook.webhookUrl,
		});
	});

	test('401 written by the node (noWebhookResponse): no execution', async () => {
		await start();
		const res = await post('id=1', '{}', { Authorization: 'Bearer wrong' });
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({ error: 'unauthorized' });
		expect(hook.executions).toHaveLength(0);
	});

	test('static data persists across requests; webhookResponse without workflowData; nothing → "Webhook call received"', async () => {
		await start();
		expect((await post('id=7', '{}')).status).toBe(200);
		expect(hook.staticData).toEqual({ 'node:Trigger': { '7': true } });
		const dup = await post('id=7', '{}');
		expect(await dup.json()).toEqual({ duplicate: '7' });
		expect(hook.executions).toHaveLength(1);
		await hook.close();

		await start(triggerType(), 'silent');
		const silent = await post('id=8', '{}');
		expect(await silent.json()).toEqual({ message: 'Webhook call received' });
		expect(hook.executions).toHaveLength(0);
		expect(hook.staticData).toEqual({ 'node:Trigger': { '8': true } }); // saved although no execution
	});

	test('webhook() throws → 500 n8n message, static data NOT saved, error recorded', async () => {
		await start(triggerType(), 'throw');
		const res = await post('id=9', '{}');
		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({ code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		expect(hook.staticData).toEqual({});
		expect(hook.webhookErrors.map((e) => e.message)).toEqual(['exploded after touching static data']);
	});

	test('body parsing: invalid JSON → 422; form; text; unknown type keeps only rawBody; empty body', async () => {
		await start();
		const bad = await post('id=1', '{"a":', { 'Content-Type': 'application/json' });
		expect(bad.status).toBe(422);
		expect(await bad.json()).toMatchObject({ code: 422, message: 'Failed to parse request body', hint: expect.any(String) });
		expect(hook.staticData).toEqual({}); // webhook() never ran

		await post('id=2', 'x=1&x=2&y=%E4%B8%AD', { 'Content-Type': 'application/x-www-form-urlencoded' });
		await post('id=3', 'hello', { 'Content-Type': 'text/plain' });
		await post('id=4', '\x01\x02', { 'Content-Type': 'application/octet-stream' });
		await fetch(`${hook.webhookUrl}?id=5`, { method: 'POST', headers: { Authorization: 'Bearer s3cret' } });
		const [form, text, octet, empty] = hook.executions.map((e) => e[0][0].json);
		expect(form.body).toEqual({ x: ['1', '2'], y: '中' });
		expect(text.body).toBe('hello');
		expect([octet.body, octet.rawBody]).toEqual([null, '\x01\x02']);
		expect([empty.body, empty.rawBody, empty.contentType]).toEqual([null, '', null]);

		// A charset Node's Buffer does not know fails inside parseBody's try → 422 as well.
		const gbk = await post('id=6', '{}', { 'Content-Type': 'application/json; charset=GBK' });
		expect(gbk.status).toBe(422);
		expect(((await gbk.json()) as IDataObject).hint).toMatch(/Unknown encoding: gbk/);
	});

	test('what the harness does not serve is refused: other methods, response modes, dynamic paths, response fields; gzip', async () => {
		const refused = async (webhook: Parameters<typeof triggerType>[0], what: RegExp) =>
			await expect(startWebhookHarness({ nodeType: triggerType(webhook), typeName: 'demoTrigger', parameters: {} })).rejects.toThrow(what);
		await refused({ httpMethod: 'GET' }, /httpMethod "GET"/);
		await refused({ responseMode: 'lastNode' }, /responseMode "lastNode"/);
		await refused({ path: 'user/:id' }, /only a static path/);
		await refused({ responseData: 'noData' }, /responseData/);
		await start();
		const gzip = await post('id=1', '{}', { 'Content-Encoding': 'gzip' });
		expect(gzip.status).toBe(500);
		expect(((await gzip.json()) as IDataObject).message).toBe('Content-Encoding "gzip" is not supported by the test harness');
	});

	test('unknown path and wrong method → n8n 404 messages', async () => {
		await start();
		const unknown = await fetch(`${hook.baseUrl}/webhook/nope`, { method: 'POST' });
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as IDataObject).message).toBe('The requested webhook "POST nope" is not registered.');
		const wrong = await fetch(hook.webhookUrl, { method: 'GET' });
		expect(wrong.status).toBe(404);
		expect(((await wrong.json()) as IDataObject).message).toBe(
			'This webhook is not registered for GET requests. Did you mean to make a POST request?',
		);
	});
});
