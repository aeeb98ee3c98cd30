/**
 * A real HTTP server on 127.0.0.1 that delivers each request into a trigger node's `webhook()`
 * through n8n-core's own WebhookContext, as n8n 2.x's CLI handles a PRODUCTION webhook call
 * (`POST /webhook/<webhookId>/<path>`; webhooks/live-webhooks.ts, webhook-helpers.ts). What the
 * CLI would then do with `workflowData` (start an execution) is not run: it is recorded in
 * `executions`.
 *
 * Cut to what our triggers declare: POST, responseMode 'onReceived', a static path, no
 * response fields on the description (they write their answers themselves and return
 * `noWebhookResponse`). A node type declaring anything else is refused when the harness starts.
 * Request bodies: see ./webhookHttp.ts.
 *
 * Worth knowing (from the CLI source, mirrored here): with 'onReceived' and `workflowData`, a node
 * that does not answer itself gets the literal text "firstEntryJson" (the default `responseData`),
 * sent with the webhook HTML-sandbox Content-Security-Policy header; `webhookResponse` is then ignored.
 */
import './env'; // first: must run before n8n-core is loaded

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebhookContext, getHtmlSandboxCSP, isWebhookHtmlSandboxingDisabled } from 'n8n-core';
import {
	ApplicationError,
	NodeHelpers,
	OperationalError,
	UnexpectedError,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IWebhookDescription,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { createAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentials';
import { TestNodeTypes, credentialRefs, latestVersion } from './nodeTypes';
import {
	HarnessLimitError,
	ResponseError,
	extendRequest,
	extendResponse,
	readRequestBody,
	sendErrorResponse,
	type WebhookRequest,
	type WebhookResponse,
} from './webhookHttp';

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

/** Name of the trigger node in the harness workflow (static data key: `node:Trigger`). */
export const TRIGGER_NODE_NAME = 'Trigger';

/** Description fields that make n8n answer differently from a plain 'onReceived' webhook. */
const RESPONSE_FIELDS = ['responseData', 'responseCode', 'responseHeaders', 'responseBinaryPropertyName', 'responseContentType', 'responsePropertyName'] as const;

/** The node's webhooks as path (without webhookId) → description; throws for what the harness does not serve. */
function servedWebhooks(nodeType: INodeType, typeName: string): Map<string, IWebhookDescription> {
	const served = new Map<string, IWebhookDescription>();
	for (const description of nodeType.description.webhooks ?? []) {
		if (description.restartWebhook === true) continue; // waiting webhooks: not registered on activation
		const { httpMethod, path, responseMode } = description;
		const problems = [
			httpMethod !== 'POST' ? `httpMethod ${JSON.stringify(httpMethod)} (only "POST")` : undefined,
			(responseMode ?? 'onReceived') !== 'onReceived' ? `responseMode ${JSON.stringify(responseMode)} (only "onReceived")` : undefined,
			typeof path !== 'string' || path.startsWith('=') || path.includes(':') ? `path ${JSON.stringify(path)} (only a static path)` : undefined,
			description.isFullPath ? 'isFullPath' : undefined,
			(description.nodeType ?? 'webhook') !== 'webhook' ? `nodeType "${description.nodeType}"` : undefined,
			...RESPONSE_FIELDS.filter((field) => description[field] !== undefined),
		].filter(Boolean);
		if (problems.length > 0) {
			throw new ApplicationError(`Webhook "${description.name}" of "${typeName}" uses ${problems.join(', ')}, which the test harness does not serve`);
		}
		served.set(String(path).trim().replace(/^\//, '').replace(/\/$/, ''), description);
	}
	if (served.size === 0) throw new ApplicationError(`Node type "${typeName}" declares no webhooks`);
	return served;
}

export async function startWebhookHarness(opts: WebhookHarnessOptions): Promise<WebhookHarness> {
	const webhooks = servedWebhooks(opts.nodeType, opts.typeName);
	const nodeTypes = new TestNodeTypes({ [opts.typeName]: opts.nodeType });
	const credentialsHelper = new TestCredentialsHelper(opts.credentialTypes ?? {}, { ...opts.credentials });
	const webhookId = opts.webhookId ?? randomUUID();
	// Each harness is its own workflow with its own node, as two workflows in n8n would be.
	const workflowId = `harness${randomUUID().slice(0, 8)}`;
	const node: INode = {
		id: randomUUID(),
		name: TRIGGER_NODE_NAME,
		type: opts.typeName,
		typeVersion: opts.typeVersion ?? latestVersion(opts.nodeType),
		position: [0, 0],
		webhookId,
		parameters: opts.parameters,
		credentials: credentialRefs(Object.keys(opts.credentials ?? {})),
	};
	// Registered URL path: "<webhookId>/<path>" (NodeHelpers.getNodeWebhookPath, as on activation).
	const routes = new Map([...webhooks].map(([path, description]) => [NodeHelpers.getNodeWebhookPath(workflowId, node, path), description]));

	// The workflow's "DB row": static data as saved (JSON, like the staticData column).
	let savedStaticData: IDataObject = structuredClone(opts.staticData ?? {});
	// live-webhooks.ts: a new Workflow per request, static data loaded from the DB.
	const loadWorkflow = async () => {
		const workflow = new Workflow({
			id: workflowId,
			name: 'Webhook harness',
			nodes: [structuredClone(node)], // the Workflow constructor rewrites node.parameters (adds defaults)
			connections: {},
			active: true,
			nodeTypes,
			staticData: structuredClone(savedStaticData),
			settings: { executionOrder: 'v1' },
		});
		if (opts.storageLatencyMs) await new Promise((resolve) => setTimeout(resolve, opts.storageLatencyMs));
		return workflow;
	};
	// WorkflowStaticDataService.saveStaticData: only when __dataChanged, then the flag is reset.
	const saveStaticData = (workflow: Workflow) => {
		if (workflow.staticData.__dataChanged === true) {
			savedStaticData = JSON.parse(JSON.stringify(workflow.staticData));
			workflow.staticData.__dataChanged = false;
		}
	};

	const executions: INodeExecutionData[][][] = [];
	const webhookErrors: Error[] = [];
	let baseUrl = '';

	/** The node's webhook() with n8n-core's WebhookContext, then the close functions it registered (WebhookService.runWebhook). */
	async function runWebhook(workflow: Workflow, description: IWebhookDescription, path: string, req: WebhookRequest, res: WebhookResponse) {
		const additionalData = createAdditionalData(
			credentialsHelper,
			{ instance: `${baseUrl}/`, webhook: `${baseUrl}/` },
			{ httpRequest: req as never, httpResponse: res as never },
		);
		const webhookData = { httpMethod: 'POST' as const, node: TRIGGER_NODE_NAME, path, webhookDescription: description, workflowId, workflowExecuteAdditionalData: additionalData };
		const triggerNode = workflow.getNode(TRIGGER_NODE_NAME)!;
		const closeFunctions: Array<() => Promise<void>> = [];
		const context = new WebhookContext(workflow, triggerNode, additionalData, 'webhook', webhookData, closeFunctions, null);
		try {
			return await nodeTypes.getByNameAndVersion(triggerNode.type, triggerNode.typeVersion).webhook!.call(context);
		} finally {
			await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
		}
	}

	/** One production webhook request: WebhookRequestHandler + LiveWebhooks.executeWebhook + executeWebhook ('onReceived'). */
	async function handle(req: WebhookRequest, res: WebhookResponse) {
		if (!req.path.startsWith('/webhook/')) throw new ResponseError('Not Found', 404);
		// live-webhooks.ts findWebhook: trailing slash removed; unknown → WebhookNotFoundError (404).
		const path = decodeURIComponent(req.path.slice('/webhook/'.length)).replace(/\/$/, '');
		const description = routes.get(path);
		if (!description) throw new ResponseError(`The requested webhook "${req.method} ${path}" is not registered.`, 404);
		if (req.method !== 'POST') {
			throw new ResponseError(`This webhook is not registered for ${req.method} requests. Did you mean to make a POST request?`, 404);
		}
		const workflow = await loadWorkflow();

		try {
			await readRequestBody(req, node.typeVersion);
		} catch (e) {
			// executeWebhook's outer catch: 4xx ResponseErrors (body parsing: 422) are kept, anything else
			// becomes "There was a problem executing the workflow" (500).
			if (e instanceof HarnessLimitError || (e instanceof ResponseError && e.httpStatusCode < 500)) throw e;
			throw new OperationalError('There was a problem executing the workflow', { cause: e });
		}
		let result: IWebhookResponseData;
		try {
			result = await runWebhook(workflow, description, path, req, res);
		} catch (error) {
			// The CLI answers 500 without saving static data, and still starts an execution carrying
			// the error (here: recorded in webhookErrors).
			webhookErrors.push(error as Error);
			throw new UnexpectedError('Workflow Webhook Error: Workflow could not be started!');
		}

		// LiveWebhooks' responseCallback: static data saved (if changed) when the call succeeded.
		saveStaticData(workflow);
		// WorkflowRunner.run would start the execution here (even for workflowData: []).
		if (result.workflowData !== undefined) executions.push(result.workflowData);
		if (result.noWebhookResponse === true) return; // the node answered itself
		if (result.workflowData === undefined) {
			// No execution: webhookResponse, else {"message":"Webhook call received"} (sendLegacyResponse).
			const data = result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' };
			return void (typeof data === 'string' ? res.status(200).send(data) : res.status(200).json(data));
		}
		// 'onReceived' with an execution: the default responseData, as a static response with the CSP header.
		if (!isWebhookHtmlSandboxingDisabled()) res.setHeader('Content-Security-Policy', getHtmlSandboxCSP());
		res.status(200).send('firstEntryJson');
	}

	const server = createServer((rawReq, rawRes) => {
		const req = extendRequest(rawReq, new URL(rawReq.url ?? '/', 'http://127.0.0.1'));
		const res = extendResponse(rawRes);
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) sendErrorResponse(res, error);
			else res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	return {
		baseUrl,
		webhookUrl: `${baseUrl}/webhook/${[...routes.keys()][0]}`,
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
