import type { IDataObject, IHttpRequestOptions, INode, ITriggerFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** The few calls of n8n's public API (v1) the Unfinished Payments trigger makes, with its own credential. */

export const N8N_API_CREDENTIAL = 'dingShangN8nApi';

type Ctx = Pick<ITriggerFunctions, 'helpers' | 'getCredentials' | 'getNode'> | Pick<ILoadOptionsFunctions, 'helpers' | 'getCredentials' | 'getNode'>;

/** Execution statuses as n8n's public API names them. */
export type ExecutionStatus = 'new' | 'running' | 'crashed' | 'error' | 'success' | 'canceled' | 'waiting' | 'unknown';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: ExecutionStatus;
	startedAt: string;
	stoppedAt?: string | null;
	retrySuccessId?: string | null;
	data?: IDataObject;
}

/** Where this n8n's API is (ending in /api/v1) and its key. */
export interface N8nApi {
	baseUrl: string;
	apiKey: string;
}

/**
 * Read once, when the trigger starts: n8n 2.x resolves credentials only inside the activation
 * (later, from the trigger's own timer, `httpRequestWithAuthentication` fails: "No bridge acquired").
 */
export async function readN8nApi(ctx: Ctx): Promise<N8nApi> {
	const creds = await ctx.getCredentials(N8N_API_CREDENTIAL);
	const raw = String(creds.baseUrl ?? '').trim();
	if (!/^https?:\/\/[^\s/]+/i.test(raw)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid "n8n URL" in the n8n API credential: expected an address like http://localhost:5678, got "${raw}"`);
	}
	const apiKey = String(creds.apiKey ?? '').trim();
	if (apiKey === '') throw new NodeOperationError(ctx.getNode(), 'Invalid "API Key" in the n8n API credential: it is empty (Settings → n8n API → Create an API key)');
	return { baseUrl: `${raw.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}/api/v1`, apiKey };
}

/** GET on the public API; a refused key or an unreachable n8n is an error that says which (never the key). */
export async function apiGet(ctx: Ctx, api: N8nApi, path: string): Promise<IDataObject> {
	const options: IHttpRequestOptions = { method: 'GET', url: `${api.baseUrl}${path}`, headers: { 'X-N8N-API-KEY': api.apiKey }, json: true, timeout: 30_000 };
	try {
		return (await ctx.helpers.httpRequest(options)) as IDataObject;
	} catch (error) {
		throw explainApiError(ctx.getNode(), error, path);
	}
}

const statusOf = (error: unknown): number | undefined => {
	const e = error as { httpCode?: string; statusCode?: number; response?: { status?: number }; cause?: { status?: number } };
	const code = Number(e?.httpCode ?? e?.statusCode ?? e?.response?.status ?? e?.cause?.status);
	return Number.isFinite(code) && code > 0 ? code : undefined;
};

export function explainApiError(node: INode, error: unknown, path: string): NodeApiError {
	const status = statusOf(error);
	const message =
		status === 401 || status === 403
			? 'n8n refused the API key of the "n8n API" credential (HTTP ' + status + '): create a new key under Settings → n8n API.'
			: status === 404
				? `n8n has no such item (${path.split('?')[0]}).`
				: `Could not read n8n's API at ${path.split('?')[0]}: ${(error as Error)?.message ?? String(error)}. Check the "n8n URL" of the credential.`;
	// Never the request options: they would carry the key header.
	const apiError = new NodeApiError(node, { message: (error as Error)?.message ?? 'n8n API error' }, { message, httpCode: status ? String(status) : undefined });
	apiError.message = message;
	return apiError;
}

/** Executions of one workflow in one status, newest first, started after `startedAfter` (ISO); follows pages. */
export async function listExecutions(
	ctx: Ctx,
	api: N8nApi,
	workflowId: string,
	status: ExecutionStatus,
	opts: { startedAfter?: string; includeData: boolean; maxPages?: number },
): Promise<ExecutionSummary[]> {
	const all: ExecutionSummary[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < (opts.maxPages ?? 10); page++) {
		const query = new URLSearchParams({ workflowId, status, includeData: String(opts.includeData), limit: opts.includeData ? '50' : '250' });
		if (opts.startedAfter) query.set('startedAfter', opts.startedAfter);
		if (cursor) query.set('cursor', cursor);
		const answer = await apiGet(ctx, api, `/executions?${query.toString()}`);
		all.push(...((answer.data as unknown as ExecutionSummary[]) ?? []).map(normalise));
		cursor = typeof answer.nextCursor === 'string' ? answer.nextCursor : undefined;
		if (!cursor) break;
	}
	return all;
}

export async function getExecution(ctx: Ctx, api: N8nApi, id: string, includeData = true): Promise<ExecutionSummary> {
	return normalise((await apiGet(ctx, api, `/executions/${encodeURIComponent(id)}?includeData=${includeData}`)) as unknown as ExecutionSummary);
}

const normalise = (e: ExecutionSummary): ExecutionSummary => ({ ...e, id: String(e.id), workflowId: String(e.workflowId) });

export async function getWorkflow(ctx: Ctx, api: N8nApi, id: string): Promise<IDataObject> {
	return await apiGet(ctx, api, `/workflows/${encodeURIComponent(id)}`);
}

/** Every workflow's id and name (for the "Payment Workflows" list). */
export async function listWorkflows(ctx: Ctx, api: N8nApi): Promise<Array<{ id: string; name: string; active: boolean }>> {
	const all: Array<{ id: string; name: string; active: boolean }> = [];
	let cursor: string | undefined;
	for (let page = 0; page < 20; page++) {
		const answer = await apiGet(ctx, api, `/workflows?limit=250&excludePinnedData=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		for (const w of (answer.data as IDataObject[]) ?? []) all.push({ id: String(w.id), name: String(w.name), active: w.active === true });
		cursor = typeof answer.nextCursor === 'string' ? answer.nextCursor : undefined;
		if (!cursor) break;
	}
	return all;
}
