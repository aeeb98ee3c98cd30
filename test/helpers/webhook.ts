/**
 * A real HTTP server on 127.0.0.1 that delivers each request into a trigger node's `webhook()`
 * through n8n-core's own WebhookContext, handling it the way n8n 1.x's CLI handles a PRODUCTION
 * webhook call (`/webhook/<webhookId>/<path>`). Each place that mirrors the CLI names its source
 * file (packages/cli/src/...). What the CLI would then do with `workflowData` (start an execution)
 * is not run here: the data is recorded in `executions` instead.
 *
 * Worth knowing (from the CLI source, mirrored here): with responseMode 'onReceived' and
 * `workflowData`, a webhook description WITHOUT `responseData` answers the literal text
 * "firstEntryJson" (the default of evaluateResponseOptions), and `webhookResponse` is then ignored.
 * A node that wants its own body while starting an execution must write the response itself and
 * return `{ noWebhookResponse: true, workflowData }`.
 *
 * Not reproduced: multipart/form-data (formidable), CORS allowed-origins options, the
 * 'lastNode' / 'responseNode' / 'formPage' / 'streaming' response modes (they need the execution),
 * HTML-sandbox CSP headers, test webhooks (/webhook-test), waiting webhooks.
 */
import './n8n-env'; // first: must run before n8n-core is loaded

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { randomUUID } from 'node:crypto';

import { WebhookContext, parseIncomingMessage } from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	jsonParse,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestMethods,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { TestCredentialsHelper, TestNodeTypes, createAdditionalData, credentialRefs, latestVersion } from './n8n-runtime';

export interface WebhookHarnessOptions {
	nodeType: INodeType;
	typeName: string;
	credentialTypes?: Record<string, ICredentialType>;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	parameters: INodeParameters;
	/** The node's webhookId (first URL segment). Default: a random UUID, as the editor assigns. */
	webhookId?: string;
	/** Default: latest version of the node type. */
	typeVersion?: number;
	/** Workflow static data as stored before the first request. */
	staticData?: IDataObject;
	/**
	 * Simulated database latency (ms) between reading the workflow row and using it. n8n reads the
	 * workflow (and its static data) from the database for each request, so concurrent requests
	 * can see the same, not-yet-saved static data. Default 0.
	 */
	storageLatencyMs?: number;
}

export interface WebhookHarness {
	baseUrl: string; // http://127.0.0.1:PORT
	webhookUrl: string; // URL of the node's first webhook: http://127.0.0.1:PORT/webhook/<webhookId>/<path>
	/** `workflowData` of every execution n8n would have started, in arrival order. */
	executions: INodeExecutionData[][][];
	/** Errors thrown by `webhook()`. n8n answers 500 and still starts an execution that records the error. */
	webhookErrors: Error[];
	/** Static data as n8n would have saved it (the workflow's DB row), read live. */
	readonly staticData: IDataObject;
	close(): Promise<void>;
}

/** Request as n8n's webhook handlers see it (express 5 request + n8n's rawBodyReader additions). */
type WebhookRequest = IncomingMessage & {
	body?: unknown;
	rawBody?: Buffer;
	_body?: boolean;
	readRawBody: () => Promise<void>;
	contentType?: string;
	encoding?: BufferEncoding;
	query: Record<string, unknown>;
	params: Record<string, string>;
	path: string;
	originalUrl: string;
	ip?: string;
	get(name: string): string | string[] | undefined;
	header(name: string): string | string[] | undefined;
};

/** The express Response methods trigger nodes use, on top of Node's ServerResponse. */
type WebhookResponse = ServerResponse & {
	status(code: number): WebhookResponse;
	sendStatus(code: number): WebhookResponse;
	set(field: string | Record<string, string>, value?: string): WebhookResponse;
	header(field: string | Record<string, string>, value?: string): WebhookResponse;
	type(contentType: string): WebhookResponse;
	json(body: unknown): WebhookResponse;
	send(body?: unknown): WebhookResponse;
};

/** n8n's ResponseError shape (packages/cli/src/errors/response-errors/abstract/response.error.ts). */
class ResponseError extends Error {
	constructor(
		message: string,
		readonly httpStatusCode: number,
		readonly errorCode = httpStatusCode,
		readonly hint?: string,
	) {
		super(message);
	}
}

// Default of N8N_PAYLOAD_SIZE_MAX (MiB), used by rawBodyReader's getRawBody limit.
const PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;

/** Mirrors packages/cli/src/middlewares/body-parser.ts `rawBodyReader`: contentType/encoding + readRawBody(). */
function extendRequest(req: IncomingMessage, url: URL): WebhookRequest {
	const r = req as WebhookRequest;
	parseIncomingMessage(r); // n8n-core: sets req.contentType (lower-cased, no params) and req.encoding (charset, default utf-8)
	r.readRawBody = async () => {
		if (r.rawBody) return;
		let stream: Readable = r;
		const encoding = r.headers['content-encoding'];
		if (encoding === 'gzip') stream = r.pipe(createGunzip());
		else if (encoding === 'deflate') stream = r.pipe(createInflate());
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of stream) {
			size += (chunk as Buffer).length;
			if (size > PAYLOAD_SIZE_MAX) throw new Error('request entity too large');
			chunks.push(chunk as Buffer);
		}
		r.rawBody = Buffer.concat(chunks);
		r._body = true;
	};
	// express 5 default query parser ("simple") is node:querystring.
	r.query = parseQueryString(url.search.slice(1));
	r.params = {};
	r.path = url.pathname;
	r.originalUrl = req.url ?? '';
	r.ip = req.socket.remoteAddress; // express req.ip without 'trust proxy' (n8n: N8N_PROXY_HOPS=0)
	r.get = r.header = (name: string) => r.headers[name.toLowerCase()];
	return r;
}

/** Minimal express-compatible Response methods (express 5 semantics for json/send). */
function extendResponse(res: ServerResponse): WebhookResponse {
	const r = res as WebhookResponse;
	r.status = (code) => ((r.statusCode = code), r);
	r.set = r.header = (field, value) => {
		const headers = typeof field === 'string' ? { [field]: value ?? '' } : field;
		for (const [k, v] of Object.entries(headers)) r.setHeader(k, v);
		return r;
	};
	r.type = (contentType) => r.set('Content-Type', contentType.includes('/') ? contentType : `text/${contentType}`);
	r.json = (body) => {
		if (!r.getHeader('Content-Type')) r.setHeader('Content-Type', 'application/json; charset=utf-8');
		return r.send(JSON.stringify(body) ?? '');
	};
	r.send = (body) => {
		if (body !== null && body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) return r.json(body);
		if (typeof body === 'number' || typeof body === 'boolean') return r.json(body);
		if (typeof body === 'string' && !r.getHeader('Content-Type')) r.setHeader('Content-Type', 'text/html; charset=utf-8');
		if (Buffer.isBuffer(body) && !r.getHeader('Content-Type')) r.setHeader('Content-Type', 'application/octet-stream');
		r.end(body ?? '');
		return r;
	};
	r.sendStatus = (code) => r.status(code).send(String(code));
	return r;
}

const XML_OPTIONS = { async: true, normalize: true, normalizeTags: true, explicitArray: false };

/** Mirrors packages/cli/src/middlewares/body-parser.ts `parseBody`. */
async function parseBody(req: WebhookRequest) {
	await req.readRawBody();
	const { rawBody, contentType, encoding } = req;
	if (!rawBody?.length) return; // empty body: req.body stays undefined
	try {
		if (contentType === 'application/json') {
			req.body = jsonParse(rawBody.toString(encoding));
		} else if (contentType?.endsWith('/xml') || contentType?.endsWith('+xml')) {
			// xml2js is a dependency of n8n-core/n8n-workflow; loaded only when needed.
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const { Parser } = require('xml2js') as {
				Parser: new (o: object) => { parseStringPromise(s: string): Promise<unknown> };
			};
			req.body = await new Parser(XML_OPTIONS).parseStringPromise(rawBody.toString(encoding));
		} else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = parseQueryString(rawBody.toString(encoding), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') {
			req.body = rawBody.toString(encoding);
		}
		// any other type: only req.rawBody is set
	} catch (error) {
		// UnprocessableRequestError → 422 {"code":422,"message":"Failed to parse request body","hint":<error>}
		throw new ResponseError('Failed to parse request body', 422, 422, (error as Error).message);
	}
}

/** Mirrors `parseRequestBody` in packages/cli/src/webhooks/webhook-helpers.ts. */
async function parseRequestBody(req: WebhookRequest, node: INode, workflow: Workflow) {
	if (node.typeVersion === 1) {
		// Webhook node v1 "binaryData" option: skip pre-parsing (always falsy for other nodes).
		const binaryData = workflow.expression.getSimpleParameterValue(
			node,
			'={{$parameter["options"]["binaryData"]}}',
			'webhook',
			{},
			undefined,
			false,
		);
		if (binaryData) return;
	}
	const { contentType } = req;
	if (contentType === 'multipart/form-data') {
		throw new Error('multipart/form-data is not supported by the test harness');
	}
	if (node.typeVersion > 1) {
		// From version 2 on, only these types are parsed; others keep req.body undefined and no rawBody.
		const parsed =
			contentType?.startsWith('application/json') ||
			contentType?.startsWith('text/plain') ||
			contentType?.startsWith('application/x-www-form-urlencoded') ||
			contentType?.endsWith('/xml') ||
			contentType?.endsWith('+xml');
		if (parsed) await parseBody(req);
	} else {
		await parseBody(req);
	}
}

/** Mirrors packages/cli/src/response-helper.ts `sendErrorResponse` (production, no stack). */
function sendErrorResponse(res: WebhookResponse, error: Error) {
	const body: IDataObject = { code: 0, message: error.message ?? 'Unknown error' };
	let status = 500;
	if (error instanceof ResponseError) {
		status = error.httpStatusCode;
		body.code = error.errorCode;
		if (error.hint) body.hint = error.hint;
	}
	res.status(status).json(body);
}

/** Legacy/static webhook response: string → send, anything else → json (webhook-request-handler.ts). */
function sendBody(res: WebhookResponse, code: number, body: unknown, headers?: Map<string, string>) {
	for (const [name, value] of headers ?? []) res.setHeader(name, value);
	res.status(code);
	if (typeof body === 'string') res.send(body);
	else res.json(body);
}

interface Route {
	method: IHttpRequestMethods;
	path: string;
	segments: string[]; // for dynamic paths (":param")
	webhookData: Omit<IWebhookData, 'workflowExecuteAdditionalData'>;
}

const WEBHOOK_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];

/** Name of the trigger node in the harness workflow (static data key: `node:Trigger`). */
export const TRIGGER_NODE_NAME = 'Trigger';

export async function startWebhookHarness(opts: WebhookHarnessOptions): Promise<WebhookHarness> {
	const nodeTypes = new TestNodeTypes({ [opts.typeName]: opts.nodeType });
	const credentialsHelper = new TestCredentialsHelper(opts.credentialTypes ?? {}, { ...opts.credentials });
	const webhookId = opts.webhookId ?? randomUUID();
	// Each harness is its own workflow with its own node, as two workflows in n8n would be.
	const workflowId = `harness${randomUUID().slice(0, 8)}`;
	const nodeId = randomUUID();
	const nodeName = TRIGGER_NODE_NAME;
	const typeVersion = opts.typeVersion ?? latestVersion(opts.nodeType);
	const newNode = (): INode => ({
		id: nodeId,
		name: nodeName,
		type: opts.typeName,
		typeVersion,
		position: [0, 0],
		webhookId,
		parameters: structuredClone(opts.parameters),
		credentials: credentialRefs(Object.keys(opts.credentials ?? {})),
	});

	// The workflow's "DB row": static data as saved (JSON, like the staticData column).
	let savedStaticData: IDataObject = structuredClone(opts.staticData ?? {});
	// packages/cli/src/webhooks/live-webhooks.ts: a new Workflow per request, static data loaded from the DB.
	const loadWorkflow = () =>
		new Workflow({
			id: workflowId,
			name: 'Webhook harness',
			nodes: [newNode()],
			connections: {},
			active: true,
			nodeTypes,
			staticData: structuredClone(savedStaticData),
			settings: { executionOrder: 'v1' },
		});
	// WorkflowStaticDataService.saveStaticData: only when __dataChanged, then the flag is reset.
	const saveStaticData = (workflow: Workflow) => {
		if (workflow.staticData.__dataChanged === true) {
			savedStaticData = JSON.parse(JSON.stringify(workflow.staticData));
			workflow.staticData.__dataChanged = false;
		}
	};

	// Route table, as ActiveWorkflowManager registers webhooks on activation
	// (WebhookService.getNodeWebhooks with ignoreRestartWebhooks = true).
	const routes: Route[] = [];
	{
		const workflow = loadWorkflow();
		if (opts.storageLatencyMs) await new Promise((resolve) => setTimeout(resolve, opts.storageLatencyMs));
		const node = workflow.getNode(nodeName)!;
		for (const description of opts.nodeType.description.webhooks ?? []) {
			const expr = (value: string | boolean | undefined, fallback?: string | boolean) =>
				workflow.expression.getSimpleParameterValue(node, value, 'internal', {}, undefined, fallback as string);
			if (expr(description.restartWebhook, false) === true) continue;
			let nodePath = expr(description.path);
			if (nodePath === undefined) continue;
			nodePath = nodePath.toString().replace(/^\//, '').replace(/\/$/, '');
			const isFullPath = expr(description.isFullPath, false) as boolean;
			const path = NodeHelpers.getNodeWebhookPath(workflowId, node, nodePath, isFullPath, false);
			for (const method of String(expr(description.httpMethod, 'GET')).split(',')) {
				if (!method.trim()) continue;
				routes.push({
					method: method.trim() as IHttpRequestMethods,
					path,
					segments: path.split('/'),
					webhookData: { httpMethod: method.trim() as IHttpRequestMethods, node: nodeName, path, webhookDescription: description, workflowId, webhookId },
				});
			}
		}
	}
	if (routes.length === 0) throw new Error(`Node type "${opts.typeName}" declares no webhooks`);

	/** WebhookService.findWebhook: static path first, then dynamic ("<id>/user/:id") by segments. */
	const findRoute = (method: string, path: string, params: Record<string, string>) => {
		const exact = routes.find((r) => r.method === method && r.path === path);
		if (exact) return exact;
		const segments = path.split('/');
		const dynamic = routes.find(
			(r) =>
				r.method === method &&
				r.path.includes(':') &&
				r.segments.length === segments.length &&
				r.segments.every((s, i) => s.startsWith(':') || s === segments[i]),
		);
		dynamic?.segments.forEach((s, i) => s.startsWith(':') && (params[s.slice(1)] = segments[i]));
		return dynamic;
	};

	const executions: INodeExecutionData[][][] = [];
	const webhookErrors: Error[] = [];
	let baseUrl = '';

	/** One production webhook request: LiveWebhooks.executeWebhook + WebhookHelpers.executeWebhook. */
	async function handle(req: WebhookRequest, res: WebhookResponse) {
		// webhook-request-handler.ts: unsupported methods → 500; OPTIONS (CORS preflight) → 204.
		if (req.method === 'OPTIONS') return void res.status(204).json({});
		if (!WEBHOOK_METHODS.includes(req.method ?? '')) {
			return sendErrorResponse(res, new Error(`The method ${req.method} is not supported.`));
		}
		if (!req.path.startsWith('/webhook/')) return sendErrorResponse(res, new ResponseError('Not Found', 404));
		// live-webhooks.ts findWebhook: trailing slash removed; unknown → WebhookNotFoundError (404).
		const path = decodeURIComponent(req.path.slice('/webhook/'.length)).replace(/\/$/, '');
		const route = findRoute(req.method!, path, req.params);
		if (!route) {
			const methods = routes.filter((r) => r.path === path).map((r) => r.method);
			const message = methods.length
				? `This webhook is not registered for ${req.method} requests. Did you mean to make a ${methods.length === 1 ? methods[0] : `${methods.slice(0, -1).join(', ')} or ${methods.at(-1)}`} request?`
				: `The requested webhook "${req.method} ${path}" is not registered.`;
			const hint = methods.length
				? undefined
				: "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)";
			return sendErrorResponse(res, new ResponseError(message, 404, 404, hint));
		}

		const workflow = loadWorkflow();
		if (opts.storageLatencyMs) await new Promise((resolve) => setTimeout(resolve, opts.storageLatencyMs));
		const node = workflow.getNode(nodeName)!;
		const additionalData: IWorkflowExecuteAdditionalData = createAdditionalData(
			credentialsHelper,
			{ instance: `${baseUrl}/`, webhook: `${baseUrl}/` },
			{ httpRequest: req as never, httpResponse: res as never },
		);
		const webhookData: IWebhookData = { ...route.webhookData, workflowExecuteAdditionalData: additionalData };
		const description = route.webhookData.webhookDescription;
		const mode = 'webhook';
		const additionalKeys = { $executionId: undefined };

		// webhook-helpers.ts evaluateResponseOptions: defaults 'onReceived', 200, 'firstEntryJson'.
		const responseMode = workflow.expression.getSimpleParameterValue(node, description.responseMode, mode, additionalKeys, undefined, 'onReceived');
		const responseCode = Number(workflow.expression.getSimpleParameterValue(node, description.responseCode as string, mode, additionalKeys, undefined, 200));
		const responseData = workflow.expression.getComplexParameterValue(node, description.responseData, mode, additionalKeys, undefined, 'firstEntryJson');
		if (responseMode !== 'onReceived') {
			return sendErrorResponse(res, new Error(`responseMode '${String(responseMode)}' is not supported by the test harness`));
		}

		// LiveWebhooks' responseCallback: on success, save static data (if changed) BEFORE answering.
		const respond = (send: () => void) => {
			saveStaticData(workflow);
			send();
		};

		let didSendResponse = false;
		let result: IWebhookResponseData;
		try {
			await parseRequestBody(req, node, workflow);
			try {
				// WebhookService.runWebhook: the node's webhook() with n8n-core's WebhookContext.
				const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null);
				result = (await opts.nodeType.webhook!.call(context)) as IWebhookResponseData;
			} catch (err) {
				// executeWebhook: answer 500 "Workflow Webhook Error: Workflow could not be started!",
				// static data NOT saved (callback gets an error), and an execution carrying the error
				// is still started with [[{json:{}}]]. Here: recorded in webhookErrors.
				webhookErrors.push(err as Error);
				sendErrorResponse(res, new Error('Workflow Webhook Error: Workflow could not be started!'));
				return;
			}

			// executeWebhook: response headers declared on the webhook description (Webhook node option).
			if (description.responseHeaders !== undefined && !res.headersSent) {
				const evaluated = workflow.expression.getComplexParameterValue(node, description.responseHeaders, mode, additionalKeys) as
					| { entries?: Array<{ name: string; value: string }> }
					| undefined;
				for (const entry of evaluated?.entries ?? []) res.setHeader(entry.name.toLowerCase(), entry.value);
			}

			if (result.noWebhookResponse === true) {
				// The node answered itself (e.g. res.status(401).end()); callback({noWebhookResponse}) still saves.
				saveStaticData(workflow);
				didSendResponse = true;
			}

			if (result.workflowData === undefined) {
				// Workflow does not run: answer webhookResponse, else {"message":"Webhook call received"}.
				if (!didSendResponse) {
					const body = result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' };
					respond(() => sendBody(res, responseCode, body));
				}
				return;
			}

			// onReceived with a workflow to run: extractWebhookOnReceivedResponse — 'noData' → no body;
			// a truthy responseData wins (NB: 'firstEntryJson' when the description sets none);
			// then webhookResponse; then {"message":"Workflow was started"}.
			if (!didSendResponse) {
				let body: unknown;
				if (responseData === 'noData') body = undefined;
				else if (responseData) body = responseData;
				else if (result.webhookResponse !== undefined) body = result.webhookResponse;
				else body = { message: 'Workflow was started' };
				respond(() => sendBody(res, responseCode, body));
			}
			// WorkflowRunner.run would start the execution here (even for workflowData: []).
			executions.push(result.workflowData);
		} catch (e) {
			// executeWebhook's outer catch: body-parse errors keep their status (422); others → 500.
			const error = e instanceof ResponseError ? e : new Error('There was a problem executing the workflow');
			if (!res.headersSent) sendErrorResponse(res, error);
		}
	}

	const server = createServer((rawReq, rawRes) => {
		const url = new URL(rawReq.url ?? '/', 'http://127.0.0.1');
		const req = extendRequest(rawReq, url);
		const res = extendResponse(rawRes);
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) sendErrorResponse(res, error);
			else res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const first = routes[0];
	return {
		baseUrl,
		webhookUrl: `${baseUrl}/webhook/${first.path}`,
		executions,
		webhookErrors,
		get staticData() {
			return savedStaticData;
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
		},
	};
}
