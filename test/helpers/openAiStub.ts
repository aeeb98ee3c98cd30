import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted stand-in for an OpenAI-compatible chat-completions API (OpenAI, DeepSeek) on
 * 127.0.0.1 — the one external part of the AI-agent e2e. To the user's message it answers with the
 * planned tool call; to a tool result it answers with a final message that quotes it. Every
 * request body is kept for assertions, every request line in `paths`. Serves
 * `POST [/v1]/chat/completions` (plain and `stream: true`) and `GET [/v1]/models`: OpenAI's base
 * URL ends in /v1 (`url`), DeepSeek's is the bare host (`origin`).
 */

export type Json = any;

export interface PlannedCall {
	tool: string;
	args: Record<string, unknown>;
}

export class OpenAiStub {
	readonly requests: Json[] = [];
	/** `METHOD /path` and the Authorization header of every request, in order. */
	readonly paths: string[] = [];
	readonly authorizations: string[] = [];
	/** The next conversation's tool call; none → a plain answer without tools. */
	plan?: PlannedCall;
	private server?: http.Server;
	/** `http://127.0.0.1:<port>`, a base URL like DeepSeek's. */
	origin = '';
	/** `<origin>/v1`, a base URL like OpenAI's. */
	url = '';

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
		this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.url = `${this.origin}/v1`;
		return this;
	}

	async close(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
	}

	/** The tool results (role "tool") the model received, newest last. */
	toolResults(): string[] {
		return this.requests.flatMap((body) => (body.messages as Json[]).filter((m) => m.role === 'tool').map((m) => String(m.content))).filter((v, i, all) => all.indexOf(v) === i);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		this.paths.push(`${req.method} ${req.url}`);
		this.authorizations.push(String(req.headers.authorization));
		const path = (req.url ?? '').replace(/^\/v1\//, '/');
		if (req.method === 'GET' && path.startsWith('/models')) return send(200, { object: 'list', data: [{ id: 'gpt-stub', object: 'model', owned_by: 'stub' }] });
		if (req.method !== 'POST' || !path.startsWith('/chat/completions')) return send(404, { error: { message: `no route ${req.method} ${req.url}` } });
		const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
		this.requests.push(body);
		const message = this.answer(body);
		if (body.stream) return this.stream(res, message);
		send(200, {
			id: `chatcmpl-${this.requests.length}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: body.model,
			choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
			usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
		});
	}

	private answer(body: Json): Json {
		const messages = body.messages as Json[];
		const last = messages[messages.length - 1];
		if (last?.role === 'tool') return { role: 'assistant', content: `TOOL RESULT: ${String(last.content)}` };
		const plan = this.plan;
		const offered = ((body.tools ?? []) as Json[]).map((t) => t.function?.name);
		if (!plan) return { role: 'assistant', content: 'No tool planned.' };
		if (!offered.includes(plan.tool)) return { role: 'assistant', content: `Tool ${plan.tool} not offered (offered: ${offered.join(', ')})` };
		return {
			role: 'assistant',
			content: null,
			tool_calls: [{ id: `call_${this.requests.length}`, type: 'function', function: { name: plan.tool, arguments: JSON.stringify(plan.args) } }],
		};
	}

	private stream(res: http.ServerResponse, message: Json): void {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		const chunk = (delta: Json, finish: string | null) =>
			res.write(`data: ${JSON.stringify({ id: `chatcmpl-${this.requests.length}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'gpt-stub', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
		if (message.tool_calls) chunk({ role: 'assistant', content: null, tool_calls: message.tool_calls.map((c: Json, index: number) => ({ index, ...c })) }, null);
		else chunk({ role: 'assistant', content: message.content }, null);
		chunk({}, message.tool_calls ? 'tool_calls' : 'stop');
		res.end('data: [DONE]\n\n');
	}
}
