/**
 * Our nodes as tools of n8n's AI Agent, in real n8n (2.41.x, 1.123.x): example 8 "Ask your shop"
 * with its Chat Trigger swapped for a Webhook (so the test can ask), its DeepSeek Chat Model as
 * shipped, only its credential's Base URL pointed at a local OpenAI-compatible stub
 * (test/helpers/openAiStub.ts: the model is the one scripted part), plus a
 * Dispense tool that is allowed and a Refund tool that is not. Everything else is real: n8n's
 * agent and tool wrapping, our nodes, the sandboxes over HTTP.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import { randomUUID } from 'node:crypto';
import { PAYMENT_CREDENTIAL_ID, WORKFLOW, e2eMajors, loadExamples, startStack, type ExampleVars, type N8nMajor, type Stack } from '../../scripts/local';
import { OpenAiStub, type Json } from '../helpers/openAiStub';
import { SandboxClient, waitFor } from '../helpers/sandboxClient';

const MACHINE = '10000002';
const ASK_PATH = 'ask-shop-e2e';
const DEEPSEEK_CREDENTIAL = { id: 'deepSeekStubCred', name: 'DeepSeek (local stub)' };
const DEEPSEEK_KEY = 'sk-local-deepseek-stub';

let stack: Stack | undefined;
let platform: SandboxClient;
let stub: OpenAiStub;

/** Example 8 as the test runs it: asked over a webhook, its model given the stub's credential, two more tools. */
function askShopWorkflow(vars: ExampleVars): Json {
	const workflow = loadExamples(vars).find((wf) => wf.id === WORKFLOW.askShop) as Json;
	const nodes = workflow.nodes as Json[];
	const trigger = nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger');
	Object.assign(trigger, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: ASK_PATH, responseMode: 'lastNode', options: {} } });
	const agent = nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.agent');
	agent.parameters = { ...agent.parameters, promptType: 'define', text: '={{ $json.body.chatInput }}' };
	const model = nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.lmChatDeepSeek');
	model.credentials = { deepSeekApi: DEEPSEEK_CREDENTIAL };
	const dispense = nodes.find((n) => n.name === 'Dispense');
	nodes.push({ ...dispense, id: randomUUID(), name: 'Dispense allowed', position: [940, 760], parameters: { ...dispense.parameters, allowGoodsAndMoney: true } });
	nodes.push({
		id: randomUUID(),
		name: 'Refund',
		type: 'n8n-nodes-wechatpay.weChatPayTool',
		typeVersion: 1,
		position: [1100, 560],
		parameters: {
			descriptionType: 'manual',
			toolDescription: 'Refunds a WeChat Pay payment.',
			resource: 'refund',
			operation: 'create',
			outTradeNo: "={{ $fromAI('out_trade_no', 'The payment order number', 'string') }}",
			refundAmount: "={{ $fromAI('refund_amount', 'Yuan to refund', 'number') }}",
			totalAmount: "={{ $fromAI('total_amount', 'Yuan paid', 'number') }}",
			refundKey: "={{ $fromAI('refund_key', 'The refund key', 'string') }}",
		},
		credentials: { weChatPayApi: { id: PAYMENT_CREDENTIAL_ID.weChatPay, name: 'WeChat Pay (sandbox)' } },
	});
	for (const name of ['Dispense allowed', 'Refund']) workflow.connections[name] = { ai_tool: [[{ node: agent.name, type: 'ai_tool', index: 0 }]] };
	return workflow;
}

const MCP_PATH = 'dingshang-mcp-e2e';

/** An MCP Server Trigger (streamable HTTP) with two of example 8's tools: Machines, and Dispense (switch off). */
function mcpWorkflow(askShop: Json): Json {
	const tools = (askShop.nodes as Json[]).filter((n) => ['Machines', 'Dispense'].includes(n.name)).map((n) => ({ ...n, id: randomUUID() }));
	const trigger = { id: randomUUID(), name: 'MCP Server', type: '@n8n/n8n-nodes-langchain.mcpTrigger', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { path: MCP_PATH } };
	const connections = Object.fromEntries(tools.map((t) => [t.name, { ai_tool: [[{ node: trigger.name, type: 'ai_tool', index: 0 }]] }]));
	return { id: 'dsTestMcpServer1', name: 'MCP server (test)', versionId: randomUUID(), active: false, settings: { executionOrder: 'v1' }, nodes: [trigger, ...tools], connections };
}

/** One JSON-RPC call to the MCP server (answers come as JSON or as one SSE event). */
async function mcp(method: string, params: Json, session?: string): Promise<{ status: number; session?: string; json: Json }> {
	const answer = await fetch(`${stack?.n8n.url}/mcp/${MCP_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(session ? { 'mcp-session-id': session } : {}) },
		body: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(Math.random() * 1e6), method, params }),
		signal: AbortSignal.timeout(60_000),
	});
	const text = await answer.text();
	if (answer.status === 404) return { status: 404, json: text };
	const data = text.trim().startsWith('{') ? text : text.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5)).join('');
	return { status: answer.status, session: answer.headers.get('mcp-session-id') ?? session, json: data ? JSON.parse(data) : undefined };
}

/** Asks the agent; returns its answer and the tool result the model received. */
async function ask(chatInput: string, tool: string, args: Record<string, unknown>): Promise<{ output: string; toolResult: string }> {
	stub.plan = { tool, args };
	const seen = stub.toolResults().length;
	const answer = await fetch(`${stack?.n8n.url}/webhook/${ASK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chatInput }), signal: AbortSignal.timeout(90_000) });
	const text = await answer.text();
	expect({ status: answer.status, text }).toMatchObject({ status: 200 });
	const results = stub.toolResults();
	expect(results.length).toBe(seen + 1); // the tool ran once and its result went back to the model
	return { output: String((JSON.parse(text) as Json).output ?? text), toolResult: results[results.length - 1] };
}

const apiRequests = async (): Promise<number> => Object.values((await platform.state()).requests as Record<string, number>).reduce((a, b) => a + b, 0);

describe.each(e2eMajors())('AI Agent in real n8n %s.x', (major: N8nMajor) => {
	beforeAll(async () => {
		stub = await new OpenAiStub().start();
		stack = await startStack({
			major,
			sandbox: { timeScale: 0.05 },
			examples: false,
			// DeepSeek's credential has its Base URL as a hidden field (default https://api.deepseek.com): set here only.
			credentials: [{ ...DEEPSEEK_CREDENTIAL, type: 'deepSeekApi', data: { apiKey: DEEPSEEK_KEY, url: stub.origin } }],
			workflows: (vars) => {
				const askShop = askShopWorkflow(vars);
				return [askShop, mcpWorkflow(askShop)];
			},
			activate: [WORKFLOW.askShop, 'dsTestMcpServer1'],
		});
		platform = new SandboxClient(stack.sandbox!);
		// n8n 2.x registers webhooks in the background: a GET is told "registered for POST" once it is.
		await waitFor(async () => /POST/.test(await (await fetch(`${stack?.n8n.url}/webhook/${ASK_PATH}`)).text()), 30_000, 200);
	}, 300_000);
	afterAll(async () => {
		await stack?.stop();
		await stub?.close();
	}, 60_000);

	it('"which machines are offline?" → Machine Get Many runs once; the model reads a compact list naming 10000009 offline', async () => {
		const before = (await platform.state()).requests['POST /rent/machines'] ?? 0;
		const { output, toolResult } = await ask('Which machines are offline?', 'Machines', {});
		expect((await platform.state()).requests['POST /rent/machines']).toBe(before + 1);
		const rows = JSON.parse(toolResult) as Json[];
		expect(rows.find((m) => m.machine_no === '10000009')).toMatchObject({ is_online: false });
		expect(rows.find((m) => m.machine_no === '10000001')).toMatchObject({ is_online: true });
		for (const row of rows) for (const value of Object.values(row)) expect(value === null || typeof value !== 'object').toBe(true); // simplified
		expect(output).toContain('10000009');
	});

	it("the model's requests come from example 8's DeepSeek Chat Model: DeepSeek's path, model deepseek-chat, the credential's key", () => {
		expect(stub.paths.length).toBeGreaterThan(0);
		expect([...new Set(stub.paths)]).toEqual(['POST /chat/completions']); // DeepSeek's base URL has no /v1
		expect([...new Set(stub.requests.map((body) => body.model))]).toEqual(['deepseek-chat']);
		expect([...new Set(stub.authorizations)]).toEqual([`Bearer ${DEEPSEEK_KEY}`]);
	});

	it('every tool n8n offers the model has a valid JSON schema naming our parameters', () => {
		const tools = (stub.requests[0].tools as Json[]).map((t) => t.function);
		expect(tools.map((t) => t.name).sort()).toEqual(['Channels', 'Dispense', 'Dispense_allowed', 'Machines', 'Order', 'Products', 'Refund']);
		for (const tool of tools) {
			expect(tool.description).toEqual(expect.any(String));
			expect(tool.description.length).toBeGreaterThan(20);
			expect(tool.parameters).toMatchObject({ type: 'object', properties: expect.any(Object) });
			for (const property of Object.values(tool.parameters.properties) as Json[]) expect(['string', 'number', 'boolean']).toContain(property.type);
			for (const required of tool.parameters.required ?? []) expect(Object.keys(tool.parameters.properties)).toContain(required);
		}
		const schema = (name: string) => tools.find((t) => t.name === name).parameters;
		expect(Object.keys(schema('Machines').properties)).toEqual([]);
		expect(schema('Channels').properties.machine_no).toMatchObject({ type: 'string', description: expect.stringMatching(/8 or more digits/) });
		expect(Object.keys(schema('Order').properties).sort()).toEqual(['machine_no', 'order_id']);
		expect(Object.keys(schema('Dispense').properties).sort()).toEqual(['machine_no', 'order_id']);
		expect(schema('Refund').properties.refund_amount.type).toBe('number');
	});

	it('a bad machine number from the model → the model reads our field error; nothing reaches the sandbox', async () => {
		const before = await apiRequests();
		const { toolResult } = await ask('Which channels of machine 12ab are stuck?', 'Channels', { machine_no: '12ab' });
		expect(toolResult).toMatch(/Invalid \\"Machine No\\": expected the machine number: 8 or more digits.*12ab/);
		expect(await apiRequests()).toBe(before);
	});

	it('Dispense and Refund with the switch off → refused in words the model reads, nothing sent to the platform or the provider', async () => {
		const { orderId } = await platform.paidOrder(MACHINE);
		const before = await apiRequests();
		const dispense = await ask(`Dispense order ${orderId}`, 'Dispense', { machine_no: MACHINE, order_id: String(orderId) });
		expect(dispense.toolResult).toMatch(/Not allowed: this AI tool may not dispense products.*nothing was sent/);
		const refund = await ask('Refund it', 'Refund', { out_trade_no: 'T1', refund_amount: 1, total_amount: 1, refund_key: 'k1' });
		expect(refund.toolResult).toMatch(/Not allowed: this AI tool may not refund a payment/);
		expect(await apiRequests()).toBe(before);
		const order = (await platform.state()).orders.find((o: Json) => o.order_id === orderId);
		expect(order.records.every((r: Json) => r.status === 'WAITING_PICKED_UP')).toBe(true);
		const state = (await (await fetch(`${stack?.payments?.baseUrl}/__payments/state`)).json()) as Json;
		expect(state.refunds).toEqual([]);
	});

	it('Dispense with the switch on → dispensed exactly once, the outcome reaches the model', async () => {
		const { orderId } = await platform.paidOrder(MACHINE);
		const puts = async () => (await platform.state()).requests['POST /deliveries'] ?? 0;
		const before = await puts();
		const { toolResult } = await ask(`Dispense order ${orderId}`, 'Dispense_allowed', { machine_no: MACHINE, order_id: String(orderId) });
		expect(JSON.parse(toolResult)).toEqual([expect.objectContaining({ order_id: orderId, outcome: 'dispensed' })]);
		expect((await puts()) - before).toBe(1);
		const order = (await platform.state()).orders.find((o: Json) => o.order_id === orderId);
		expect(order.records.map((r: Json) => r.status)).toEqual(['IS_SUCCESS']);
	});

	it('MCP Server Trigger: an MCP client lists our tools with their schemas, reads machines, and Dispense is refused with the switch off', async () => {
		// Registered in the background like every webhook: initialize (no side effect) until it answers.
		const init = await waitFor(async () => {
			const answer = await mcp('initialize', { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } }).catch(() => undefined);
			return answer && answer.status !== 404 ? answer : undefined;
		}, 30_000, 300);
		expect(init.status).toBe(200);
		expect(init.json.result.serverInfo).toEqual(expect.any(Object));
		const listed = await mcp('tools/list', {}, init.session);
		const tools = listed.json.result.tools as Json[];
		expect(tools.map((t) => t.name).sort()).toEqual(['Dispense', 'Machines']);
		expect(Object.keys(tools.find((t) => t.name === 'Dispense').inputSchema.properties).sort()).toEqual(['machine_no', 'order_id']);
		const before = (await platform.state()).requests['POST /rent/machines'] ?? 0;
		const machines = await mcp('tools/call', { name: 'Machines', arguments: {} }, init.session);
		expect(JSON.stringify(machines.json.result)).toContain('10000009');
		expect((await platform.state()).requests['POST /rent/machines']).toBe(before + 1);
		const { orderId } = await platform.paidOrder(MACHINE);
		const requests = await apiRequests();
		const dispense = await mcp('tools/call', { name: 'Dispense', arguments: { machine_no: MACHINE, order_id: String(orderId) } }, init.session);
		expect(JSON.stringify(dispense.json.result)).toMatch(/Not allowed: this AI tool may not dispense products/);
		expect(await apiRequests()).toBe(requests);
	});

	it('no secret (App Secret, Signing Key, provider keys, the model key) appears in anything n8n sent to the model', () => {
		const sent = JSON.stringify(stub.requests);
		expect(stub.requests.length).toBeGreaterThanOrEqual(10);
		const secrets = [stack?.sandbox?.appSecret, stack?.sandbox?.signKey, stack?.payments?.weChatPay.apiV3Key, stack?.payments?.weChatPay.privateKey, stack?.payments?.alipay.privateKey, DEEPSEEK_KEY];
		for (const secret of secrets) {
			expect(secret).toEqual(expect.any(String));
			// PEM keys: a piece of the base64 body (the armour lines are not secret).
			const body = String(secret).replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
			expect(sent).not.toContain(body.length > 60 ? body.slice(20, 60) : body);
		}
	});
});
