/**
 * A real HTTP server on 127.0.0.1 that delivers each request into a trigger node's `webhook()`
 * through n8n-core's own WebhookContext, handling it the way n8n 2.41's CLI handles a PRODUCTION
 * webhook call (`/webhook/<webhookId>/<path>`). Each place that mirrors the CLI names its source
 * file (packages/cli/src/...). What the CLI would then do with `workflowData` (start an execution)
 * is not run here: the data is recorded in `executions` instead.
 *
 * Worth knowing (from the CLI source, mirrored here): with responseMode 'onReceived' and
 * `workflowData`, a webhook description WITHOUT `responseData` answers the literal text
 * "firstEntryJson" (the default of evaluateResponseOptions), and `webhookResponse` is then ignored.
 * A node that wants its own body while starting an execution must write the response itself and
 * return `{ noWebhookResponse: true, workflowData }`. In n8n 2.x that 'onReceived' answer is sent
 * after the execution was started (so `responseData` can use `$executionId`), as a "static"
 * response, which always carries the webhook HTML-sandbox Content-Security-Policy header.
 *
 * Not reproduced: multipart/form-data (formidable), CORS headers for requests with an Origin,
 * stripping n8n's own cookies from the request, the 'lastNode' / 'responseNode' / 'formPage' /
 * 'streaming' / 'hostedChat' response modes (they need the execution), test webhooks
 * (/webhook-test), waiting webhooks, form and MCP endpoints.
 */
import './n8n-env'; // first: must run before n8n-core is loaded

import { createServer, STATUS_CODES, validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { randomUUID } from 'node:crypto';

// n8n 2.x moved parseIncomingMessage from n8n-core to @n8n/backend-network (a dependency of
// n8n-core); the CLI's rawBodyReader imports it from there.
import { parseIncomingMessage } from '@n8n/backend-network';
import { WebhookContext, getHtmlSandboxCSP, isWebhookHtmlSandboxingDisabled } from 'n8n-core';
import {
	NodeHelpers,
	NodeOperationError,
	OperationalError,
	UnexpectedError,
	UserError,
	Workflow,
	WorkflowConfigurationError,
	isNodeClassInstance,
	jsonParse,
	resolveWebhookDescriptionField,
	sanitizeXmlName,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestMethods,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IWebhookData,
	type IWebhookDescription,
	type IWebhookResponseData,
	type IWorkflowDataProxyAdditionalKeys,
	type IWorkflowExecuteAdditionalData,
	type NodeParameterValue,
	type NodeParameterValueType,
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

/** packages/cli/src/errors/response-errors/webhook-not-found.error.ts (production hint). */
function webhookNotFoundError(path: string, httpMethod: string, webhookMethods: string[]) {
	const methods = [...webhookMethods];
	if (methods.length) {
		const last = methods.pop()!;
		const list = methods.length ? `${methods.join(', ')} or ${last}` : last;
		return new ResponseError(`This webhook is not registered for ${httpMethod} requests. Did you mean to make a ${list} request?`, 404, 404, '');
	}
	return new ResponseError(
		`The requested webhook "${httpMethod} ${path}" is not registered.`,
		404,
		404,
		"The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)",
	);
}

// Default of N8N_PAYLOAD_SIZE_MAX (MiB), used by rawBodyReader's getRawBody limit.
const PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;

/** Mirrors packages/cli/src/middlewares/body-parser.ts `rawBodyReader`: contentType/encoding + readRawBody(). */
function extendRequest(req: IncomingMessage, url: URL): WebhookRequest {
	const r = req as WebhookRequest;
	parseIncomingMessage(r); // sets req.contentType (lower-cased, no params) and req.encoding (charset, default utf-8)
	r.readRawBody = async () => {
		if (r.rawBody) return;
		let stream: Readable = r;
		const encoding = r.headers['content-encoding'];
		if (encoding === 'gzip') stream = r.pipe(createGunzip());
		else if (encoding === 'deflate') stream = r.pipe(createInflate());
		if (r.destroyed || !stream.readable) {
			throw new ResponseError('Request body stream was aborted or is not readable', 400); // BadRequestError
		}
		const chunks: Buffer[] = [];
		let size = 0;
		try {
			for await (const chunk of stream) {
				size += (chunk as Buffer).length;
				if (size > PAYLOAD_SIZE_MAX) throw new Error('request entity too large');
				chunks.push(chunk as Buffer);
			}
		} catch (error) {
			if (r.aborted || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
				throw new ResponseError('Request body stream was aborted mid-read or is not readable', 400);
			}
			throw error;
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

/** Minimal express-compatible Response methods (express 5 semantics for status/json/send/sendStatus). */
function extendResponse(res: ServerResponse): WebhookResponse {
	const r = res as WebhookResponse;
	r.status = (code) => {
		if (!Number.isInteger(code)) {
			throw new TypeError(`Invalid status code: ${JSON.stringify(code)}. Status code must be an integer.`);
		}
		if (code < 100 || code > 999) {
			throw new RangeError(`Invalid status code: ${JSON.stringify(code)}. Status code must be greater than 99 and less than 1000.`);
		}
		r.statusCode = code;
		return r;
	};
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
	r.sendStatus = (code) => {
		r.status(code);
		r.setHeader('Content-Type', 'text/plain; charset=utf-8');
		return r.send(STATUS_CODES[code] ?? String(code));
	};
	return r;
}

// packages/cli/src/middlewares/body-parser.ts
const XML_OPTIONS = {
	async: true,
	normalize: true,
	normalizeTags: true,
	explicitArray: false,
	tagNameProcessors: [sanitizeXmlName],
	attrNameProcessors: [sanitizeXmlName],
};
const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** Mirrors packages/cli/src/middlewares/body-parser.ts `parseBody`. */
async function parseBody(req: WebhookRequest) {
	if (req.contentType?.startsWith('multipart/')) return;
	await req.readRawBody();
	const { rawBody, contentType, encoding } = req;
	if (!rawBody?.length) return; // empty body: req.body stays undefined
	try {
		if (contentType === 'application/json') {
			req.body = jsonParse(stripBom(rawBody.toString(encoding)));
		} else if (contentType?.endsWith('/xml') || contentType?.endsWith('+xml')) {
			// xml2js is a dependency of n8n-core/n8n-workflow; loaded only when needed.
			const { Parser } = require('xml2js') as {
				Parser: new (o: object) => { parseStringPromise(s: string): Promise<unknown> };
			};
			req.body = await new Parser(XML_OPTIONS).parseStringPromise(rawBody.toString(encoding));
		} else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = parseQueryString(stripBom(rawBody.toString(encoding)), undefined, undefined, { maxKeys: 1000 });
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
async function parseRequestBody(
	req: WebhookRequest,
	node: INode,
	workflow: Workflow,
	mode: 'webhook',
	additionalKeys: IWorkflowDataProxyAdditionalKeys,
) {
	if (node.typeVersion === 1) {
		// Webhook node v1 "binaryData" option: skip pre-parsing (always falsy for other nodes).
		const binaryData = workflow.expression.getSimpleParameterValue(
			node,
			'={{$parameter["options"]["binaryData"]}}',
			mode,
			additionalKeys,
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
		if (!parsed) return;
	}
	await parseBody(req);
}

/**
 * Mirrors packages/cli/src/response-helper.ts `sendErrorResponse` (production, no stack), with the
 * n8n 2.x classification (http-error-classifier.ts): ResponseError → its status and code;
 * UserError → 400; anything else → 500; body {code, message[, hint]}.
 */
function sendErrorResponse(res: WebhookResponse, error: Error) {
	const body: IDataObject = { code: 0, message: error.message ?? 'Unknown error' };
	let status = 500;
	if (error instanceof ResponseError) {
		status = error.httpStatusCode;
		body.code = error.errorCode;
		if (error.hint) body.hint = error.hint;
	} else if (error instanceof UserError) {
		status = 400;
	}
	res.status(status).json(body);
}

/** packages/cli/src/webhooks/webhook-response-headers.ts `WebhookResponseHeaders`. */
const PROTECTED_HEADERS = new Set(['content-security-policy', 'strict-transport-security', 'clear-site-data']);
function webhookResponseHeaders(entries: Array<{ name: string; value: string }> = []): Map<string, string> {
	const headers = new Map<string, string>();
	for (const { name, value } of entries) {
		const lowerName = name.toLowerCase();
		if (PROTECTED_HEADERS.has(lowerName)) continue; // "Dropping protected webhook response header"
		try {
			validateHeaderName(lowerName);
			validateHeaderValue(lowerName, String(value));
		} catch {
			continue; // "Dropping invalid webhook response header"
		}
		headers.set(lowerName, String(value));
	}
	return headers;
}

/** webhook-request-handler.ts setResponseHeaders: headers, then the HTML-sandbox CSP. */
function setResponseHeaders(res: WebhookResponse, headers?: Map<string, string>) {
	for (const [name, value] of headers ?? []) res.setHeader(name, value);
	if (!isWebhookHtmlSandboxingDisabled()) res.setHeader('Content-Security-Policy', getHtmlSandboxCSP());
}

/** What executeWebhook hands its responseCallback. */
type WebhookResult =
	| { kind: 'static'; body: unknown; code?: number; headers: Map<string, string> } // createStaticResponse
	| { kind: 'legacy'; data?: unknown; responseCode?: number; noWebhookResponse?: boolean };

/** webhook-request-handler.ts: sendStaticResponse / sendLegacyResponse (raw). */
function sendWebhookResult(res: WebhookResponse, result: WebhookResult) {
	if (result.kind === 'static') {
		if (result.code !== undefined) res.status(result.code);
		setResponseHeaders(res, result.headers);
		if (typeof result.body === 'string') res.send(result.body);
		else res.json(result.body);
		return;
	}
	if (result.noWebhookResponse === true) return;
	if (result.responseCode !== undefined) res.status(result.responseCode);
	if (typeof result.data === 'string') res.send(result.data);
	else res.json(result.data);
}

/** webhook-helpers.ts `_privateGetWebhookErrorMessage`. */
function webhookErrorMessage(err: unknown, webhookType: 'Form' | 'Webhook') {
	if (err instanceof NodeOperationError && err.type === 'manual-form-test') return err.message;
	if (err instanceof WorkflowConfigurationError) return err.message;
	return `Workflow ${webhookType} Error: Workflow could not be started!`;
}

/** WebhookService.isDynamicPath. */
function isDynamicPath(rawPath: string) {
	const firstSlashIndex = rawPath.indexOf('/');
	const path = firstSlashIndex !== -1 ? rawPath.substring(firstSlashIndex + 1) : rawPath;
	if (path === '' || path === ':' || path === '/:') return false;
	return path.startsWith(':') || path.includes('/:');
}

interface Route {
	method: IHttpRequestMethods;
	path: string;
	segments: string[]; // for dynamic paths (":param")
	webhookData: Omit<IWebhookData, 'workflowExecuteAdditionalData'>;
}

const WEBHOOK_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];
const SUPPORTED_RESPONSE_MODES = new Set(['onReceived', 'lastNode', 'responseNode', 'formPage', 'streaming', 'hostedChat']);

/** Name of the trigger node in the harness workflow (static data key: `node:Trigger`). */
export const TRIGGER_NODE_NAME = 'Trigger';

export async function startWebhookHarness(opts: WebhookHarnessOptions): Promise<WebhookHarness> {
	const nodeTypes = new TestNodeTypes({ [opts.typeName]: opts.nodeType });
	const credentialsHelper = new TestCredentialsHelper(opts.credentialTypes ?? {}, { ...opts.credentials }, nodeTypes.types);
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
	const nodeTypeOf = (node: INode) => nodeTypes.getByNameAndVersion(node.type, node.typeVersion);

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

	/** WebhookService.evaluateDescriptionProperty / WebhookExecutionContext: native resolver first, else the expression. */
	const describe = (
		workflow: Workflow,
		node: INode,
		description: IWebhookDescription,
		property: keyof IWebhookDescription & string,
		mode: 'internal' | 'webhook',
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		defaultValue?: unknown,
		complex = false,
	): NodeParameterValueType | undefined => {
		const native = resolveWebhookDescriptionField(node, description, property);
		if (native.resolved) return native.value;
		const value = description[property] as unknown;
		return complex
			? workflow.expression.getComplexParameterValue(
					node,
					value as NodeParameterValue,
					mode,
					additionalKeys,
					undefined,
					defaultValue as NodeParameterValueType,
				)
			: (workflow.expression.getSimpleParameterValue(
					node,
					value as string | boolean | undefined,
					mode,
					additionalKeys,
					undefined,
					defaultValue as string,
				) as NodeParameterValueType);
	};

	// Route table, as ActiveWorkflowManager registers webhooks on activation
	// (WebhookService.getNodeWebhooks with ignoreRestartWebhooks = true).
	const routes: Route[] = [];
	{
		const workflow = loadWorkflow();
		if (opts.storageLatencyMs) await new Promise((resolve) => setTimeout(resolve, opts.storageLatencyMs));
		const node = workflow.getNode(nodeName)!;
		for (const description of nodeTypeOf(node).description.webhooks ?? []) {
			if (description.restartWebhook === true) continue;
			const expr = (property: keyof IWebhookDescription & string, fallback?: unknown) =>
				describe(workflow, node, description, property, 'internal', {}, fallback);
			let nodePath = expr('path');
			if (nodePath === undefined || nodePath === null) continue; // "No webhook path could be found"
			nodePath = nodePath.toString().trim().replace(/^\//, '').replace(/\/$/, '');
			const isFullPath = expr('isFullPath', false) as boolean;
			const restartWebhook = expr('restartWebhook', false) as boolean;
			const path = NodeHelpers.getNodeWebhookPath(workflowId, node, nodePath, isFullPath, restartWebhook);
			const methods = expr('httpMethod', 'GET');
			if (methods === undefined) continue;
			for (const method of String(methods).split(',')) {
				if (!method) continue;
				routes.push({
					method: method.trim() as IHttpRequestMethods,
					path,
					segments: path.split('/'),
					webhookData: {
						httpMethod: method.trim() as IHttpRequestMethods,
						node: nodeName,
						path,
						webhookDescription: description,
						workflowId,
						webhookId: isDynamicPath(path) ? webhookId : undefined,
					},
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
	const webhookMethods = (path: string) => routes.filter((r) => r.path === path).map((r) => r.method);

	const executions: INodeExecutionData[][][] = [];
	const webhookErrors: Error[] = [];
	let baseUrl = '';

	/**
	 * WebhookHelpers.executeWebhook for a production call. `respond` is the responseCallback
	 * LiveWebhooks passes: only its first call counts (it settles a promise).
	 */
	async function executeWebhook(
		workflow: Workflow,
		node: INode,
		route: Route,
		req: WebhookRequest,
		res: WebhookResponse,
		respond: (error: Error | null, result?: WebhookResult) => void,
	) {
		const mode = 'webhook';
		const additionalKeys: IWorkflowDataProxyAdditionalKeys = { $executionId: undefined };
		const description = route.webhookData.webhookDescription;
		const evaluate = (property: keyof IWebhookDescription & string, fallback?: unknown, complex = false) =>
			describe(workflow, node, description, property, mode, additionalKeys, fallback, complex);
		const additionalData: IWorkflowExecuteAdditionalData = createAdditionalData(
			credentialsHelper,
			{ instance: `${baseUrl}/`, webhook: `${baseUrl}/` },
			{ httpRequest: req as never, httpResponse: res as never },
		);
		const webhookData: IWebhookData = { ...route.webhookData, workflowExecuteAdditionalData: additionalData };

		// evaluateResponseOptions: defaults 'onReceived', 200 (responseData is evaluated later).
		const responseMode = evaluate('responseMode', 'onReceived');
		const responseCode = evaluate('responseCode', 200) as number;
		if (!SUPPORTED_RESPONSE_MODES.has(String(responseMode))) {
			const message = `The response mode '${String(responseMode)}' is not valid!`;
			respond(new UnexpectedError(message));
			return;
		}
		if (responseMode !== 'onReceived') {
			respond(new Error(`responseMode '${String(responseMode)}' is not supported by the test harness`));
			return;
		}

		let didSendResponse = false;
		try {
			await parseRequestBody(req, node, workflow, mode, additionalKeys);
			let result: IWebhookResponseData;
			try {
				// WebhookService.runWebhook: the node's webhook() with n8n-core's WebhookContext,
				// then the close functions it registered.
				const nodeType = nodeTypeOf(node);
				const closeFunctions: Array<() => Promise<void>> = [];
				const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, closeFunctions, null);
				try {
					result = isNodeClassInstance(nodeType) ? await nodeType.webhook!(context) : await nodeType.webhook!.call(context);
				} finally {
					await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
				}
			} catch (err) {
				// 500 "Workflow Webhook Error: Workflow could not be started!" (an UnexpectedError), static
				// data NOT saved (callback gets an error), and an execution carrying the error is still
				// started with [[{json:{}}]]. Here: recorded in webhookErrors.
				const webhookType = ['formTrigger', 'form'].includes(nodeTypeOf(node).description.name) ? 'Form' : 'Webhook';
				webhookErrors.push(err as Error);
				respond(new UnexpectedError(webhookErrorMessage(err, webhookType)));
				return;
			}

			// evaluateResponseHeaders: response headers declared on the webhook description (Webhook node option).
			let responseHeaders = new Map<string, string>();
			if (description.responseHeaders !== undefined) {
				const evaluated = evaluate('responseHeaders', undefined, true) as { entries?: Array<{ name: string; value: string }> } | undefined;
				responseHeaders = webhookResponseHeaders(evaluated?.entries);
			}
			if (!res.headersSent) for (const [name, value] of responseHeaders) res.setHeader(name, value);

			if (result.noWebhookResponse === true && !didSendResponse) {
				// The node answered itself (e.g. res.status(401).end()); the callback still saves static data.
				respond(null, { kind: 'legacy', noWebhookResponse: true });
				didSendResponse = true;
			}

			if (result.workflowData === undefined) {
				// Workflow does not run: answer webhookResponse, else {"message":"Webhook call received"}.
				if (!didSendResponse) {
					const data = result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' };
					respond(null, { kind: 'legacy', data, responseCode });
					didSendResponse = true;
				}
				return;
			}

			const shouldDeferOnReceivedResponse = responseMode === 'onReceived' && !didSendResponse;
			// WorkflowRunner.run would start the execution here (even for workflowData: []).
			executions.push(result.workflowData);
			const executionId = String(executions.length);

			if (shouldDeferOnReceivedResponse) {
				// Now that the execution exists, responseData may use $executionId / $execution.
				additionalKeys.$executionId = executionId;
				additionalKeys.$execution = {
					id: executionId,
					mode: 'production',
					resumeUrl: `${additionalData.webhookWaitingBaseUrl}/${executionId}`,
					resumeFormUrl: `${additionalData.formWaitingBaseUrl}/${executionId}`,
				};
				// extractWebhookOnReceivedResponse: 'noData' → no body; a truthy responseData wins
				// (NB: 'firstEntryJson' when the description sets none); then webhookResponse; then
				// {"message":"Workflow was started"}.
				const responseData = evaluate('responseData', 'firstEntryJson', true);
				let body: unknown;
				if (responseData === 'noData') body = undefined;
				else if (responseData) body = responseData;
				else if (result.webhookResponse !== undefined) body = result.webhookResponse;
				else body = { message: 'Workflow was started' };
				respond(null, { kind: 'static', body, code: responseCode, headers: responseHeaders });
				didSendResponse = true;
			}
		} catch (e) {
			// executeWebhook's outer catch: ResponseErrors below 500 (e.g. body parsing: 422) are kept;
			// anything else → "There was a problem executing the workflow" (500).
			const error =
				e instanceof ResponseError && e.httpStatusCode < 500
					? e
					: new OperationalError('There was a problem executing the workflow', { cause: e });
			if (didSendResponse) return; // rethrown in the CLI, where it no longer reaches the client
			respond(error);
		}
	}

	/** One production webhook request: WebhookRequestHandler + LiveWebhooks.executeWebhook. */
	async function handle(req: WebhookRequest, res: WebhookResponse) {
		// webhook-request-handler.ts: unsupported methods → 500; OPTIONS (CORS preflight) → 204.
		const method = req.method ?? '';
		if (method !== 'OPTIONS' && !WEBHOOK_METHODS.includes(method)) {
			return sendErrorResponse(res, new Error(`The method ${method} is not supported.`));
		}
		if (method === 'OPTIONS') return void res.status(204).json({});
		if (!req.path.startsWith('/webhook/')) return sendErrorResponse(res, new ResponseError('Not Found', 404));
		try {
			// live-webhooks.ts findWebhook: trailing slash removed; unknown → WebhookNotFoundError (404).
			const path = decodeURIComponent(req.path.slice('/webhook/'.length)).replace(/\/$/, '');
			const route = findRoute(method, path, req.params);
			if (!route) throw webhookNotFoundError(path, method, webhookMethods(path));

			const workflow = loadWorkflow();
			if (opts.storageLatencyMs) await new Promise((resolve) => setTimeout(resolve, opts.storageLatencyMs));
			const node = workflow.getNode(nodeName)!;
			// Only webhooks of node type 'webhook' (the default) answer on /webhook/ (not 'form' / 'mcp').
			if ((route.webhookData.webhookDescription.nodeType ?? 'webhook') !== 'webhook') {
				throw webhookNotFoundError(path, method, webhookMethods(path));
			}

			// LiveWebhooks' responseCallback: on success, save static data (if changed) BEFORE answering.
			const result = await new Promise<WebhookResult>((resolve, reject) => {
				let settled = false;
				const respond = (error: Error | null, data?: WebhookResult) => {
					if (error !== null) {
						if (!settled) reject(error);
						settled = true;
						return;
					}
					saveStaticData(workflow);
					if (!settled) resolve(data!);
					settled = true;
				};
				executeWebhook(workflow, node, route, req, res, respond).catch(reject);
			});
			sendWebhookResult(res, result);
		} catch (e) {
			return sendErrorResponse(res, e as Error);
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
