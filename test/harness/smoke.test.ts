import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialType, IExecuteFunctions, INodeType } from 'n8n-workflow';
import { runNode, testCredential } from '../helpers/engine';

const cred: ICredentialType = {
	name: 'fooApi', displayName: 'Foo', properties: [
		{ displayName: 'Key', name: 'apiKey', type: 'string', default: '' },
		{ displayName: 'Base', name: 'baseUrl', type: 'string', default: 'http://x' },
	],
	authenticate: { type: 'generic', properties: { headers: { 'X-Key': '={{$credentials.apiKey}}' } } },
	test: { request: { baseURL: '={{$credentials.baseUrl}}', url: '/ping' } },
};
const node: INodeType = {
	description: { displayName: 'Foo', name: 'foo', group: ['transform'], version: 1, description: '', defaults: { name: 'Foo' },
		inputs: ['main'], outputs: ['main'], credentials: [{ name: 'fooApi', required: true }],
		properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '/x' }] } as any,
	async execute(this: IExecuteFunctions) {
		const c = await this.getCredentials('fooApi');
		const r = await this.helpers.httpRequestWithAuthentication.call(this, 'fooApi', { url: `${c.baseUrl}${this.getNodeParameter('path', 0)}`, json: true });
		return [[{ json: r }]];
	},
};
test('smoke', async () => {
	const server = createServer((req, res) => { res.setHeader('content-type','application/json'); res.end(JSON.stringify({ url: req.url, key: req.headers['x-key'] })); });
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const t0 = Date.now();
	const res = await runNode({ nodeTypes: { foo: node }, credentialTypes: { fooApi: cred }, credentials: { fooApi: { apiKey: 'k1', baseUrl: base } }, type: 'foo', parameters: { path: '/abc' } });
	console.log(Date.now() - t0, JSON.stringify(res.items), res.error);
	console.log(await testCredential(cred, { apiKey: 'k', baseUrl: base }));
	console.log(await testCredential(cred, { apiKey: 'k', baseUrl: 'http://127.0.0.1:1' }));
	server.close();
});
