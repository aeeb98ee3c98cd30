/**
 * n8n's REST API as the signed-in owner (`/rest/…`, what the editor uses) and its public API
 * with an API key (`/api/v1/…`).
 */
import { randomToken } from './processes';

/** Throw-away local owner account (documented in the README and printed by `npm start`). */
export const DEMO_OWNER = { email: 'owner@example.com', password: 'DingShang-demo-1', firstName: 'Demo', lastName: 'Owner' };

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		what: string,
	) {
		super(`${what} → HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`.slice(0, 600));
	}
}

const API_KEY_SCOPES = ['workflow:create', 'workflow:read', 'workflow:update', 'workflow:list', 'workflow:activate', 'workflow:deactivate', 'execution:read', 'execution:list', 'execution:retry'];

export class N8nClient {
	private cookie?: string;
	apiKey?: string;
	// n8n binds the session cookie to this header.
	private readonly browserId = randomToken();

	constructor(readonly baseUrl: string) {}

	private async request(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any; setCookie: string[] }> {
		const answer = await fetch(this.baseUrl + path, {
			method,
			headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await answer.text();
		let json: unknown = text;
		try {
			json = JSON.parse(text);
		} catch {
			/* keep text */
		}
		return { status: answer.status, json, setCookie: answer.headers.getSetCookie() };
	}

	/** Internal REST API as the signed-in owner (`/rest/…`); returns `data`. */
	async rest(method: string, path: string, body?: unknown): Promise<any> {
		const headers: Record<string, string> = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		const answer = await this.request(method, `/rest${path}`, body, headers);
		const auth = answer.setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		if (answer.status >= 400) throw new HttpError(answer.status, answer.json, `${method} /rest${path}`);
		return answer.json?.data;
	}

	/** Any other GET as the signed-in owner (e.g. `/types/nodes.json`, what the editor loads). */
	async get(path: string): Promise<{ status: number; contentType: string; body: string }> {
		const answer = await fetch(this.baseUrl + path, {
			headers: { 'browser-id': this.browserId, ...(this.cookie ? { cookie: this.cookie } : {}) },
			signal: AbortSignal.timeout(60_000),
		});
		return { status: answer.status, contentType: answer.headers.get('content-type') ?? '', body: await answer.text() };
	}

	/** Public API (`/api/v1/…`) with the API key. */
	async api(method: string, path: string, body?: unknown): Promise<any> {
		if (!this.apiKey) throw new Error('no API key yet');
		const answer = await this.request(method, `/api/v1${path}`, body, { 'X-N8N-API-KEY': this.apiKey });
		if (answer.status >= 400) throw new HttpError(answer.status, answer.json, `${method} /api/v1${path}`);
		return answer.json;
	}

	/** Sets up the owner account on a fresh instance, else signs in; false when the password was changed. */
	async signIn(owner = DEMO_OWNER): Promise<boolean> {
		const settings = await this.rest('GET', '/settings');
		if (settings?.userManagement?.showSetupOnFirstLoad) {
			await this.rest('POST', '/owner/setup', owner);
			return true;
		}
		try {
			await this.rest('POST', '/login', { emailOrLdapLoginId: owner.email, password: owner.password });
			return true;
		} catch (error) {
			if (error instanceof HttpError && error.status === 401) return false;
			throw error;
		}
	}

	/** Uses `key` if n8n still accepts it. */
	async useApiKey(key: string): Promise<boolean> {
		this.apiKey = key;
		try {
			await this.api('GET', '/workflows?limit=1');
			return true;
		} catch (error) {
			this.apiKey = undefined;
			if (error instanceof HttpError && error.status === 401) return false;
			throw error;
		}
	}

	/** Creates an API key for the signed-in owner and uses it. */
	async createApiKey(): Promise<string> {
		const created = await this.rest('POST', '/api-keys', { label: `dingshang-local-${Date.now()}`, expiresAt: null, scopes: API_KEY_SCOPES });
		this.apiKey = created.rawApiKey as string;
		return this.apiKey;
	}

	/** Saves a workflow (as read from the public API) back through the public API. */
	async saveWorkflow(workflow: { id: string; name: string; nodes: unknown; connections: unknown; settings?: Record<string, unknown>; staticData?: unknown }): Promise<void> {
		const { id, name, nodes, connections, settings, staticData } = workflow;
		await this.api('PUT', `/workflows/${id}`, { name, nodes, connections, settings: pickSettings(settings), staticData });
	}

	/** Saves a workflow unchanged, so n8n's list (last updated first) shows it on top. */
	async touchWorkflow(id: string): Promise<void> {
		await this.saveWorkflow(await this.api('GET', `/workflows/${id}`));
	}

	/** Forgets what the workflow's nodes remembered (e.g. the trigger's seen results); true if there was something. */
	async clearStaticData(id: string): Promise<boolean> {
		const workflow = await this.api('GET', `/workflows/${id}`);
		if (!workflow.staticData || Object.keys(workflow.staticData).length === 0) return false;
		await this.saveWorkflow({ ...workflow, staticData: null });
		return true;
	}

	/**
	 * Activates a workflow. A CLI-imported workflow has no saved version yet (activation would
	 * fail), so it is saved once through the public API first, which records that version.
	 */
	async activateWorkflow(id: string): Promise<void> {
		const workflow = await this.api('GET', `/workflows/${id}`);
		if (workflow.active) return;
		await this.saveWorkflow(workflow);
		await this.api('POST', `/workflows/${id}/activate`);
	}

	/** Executions of a workflow with their data, newest first (one page is plenty here). */
	async executions(workflowId: string): Promise<any[]> {
		const page = await this.api('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true&limit=100`);
		return page.data as any[];
	}

	/** Every execution of a workflow (the public API's pages, followed to the end), newest first. */
	async allExecutions(workflowId: string, includeData = true): Promise<any[]> {
		const all: any[] = [];
		let cursor: string | undefined;
		for (let page = 0; page < 100; page++) {
			const query = `workflowId=${encodeURIComponent(workflowId)}&includeData=${includeData}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
			const answer = await this.api('GET', `/executions?${query}`);
			all.push(...(answer.data as any[]));
			cursor = answer.nextCursor ?? undefined;
			if (!cursor) break;
		}
		return all;
	}

	/** Retries an execution (what the editor's "Retry" does); returns the new execution's id. */
	async retryExecution(id: string): Promise<string> {
		return String((await this.api('POST', `/executions/${id}/retry`, {})).id);
	}
}

/** The workflow settings the public API accepts back. */
function pickSettings(settings: Record<string, unknown> = {}): Record<string, unknown> {
	const allowed = ['saveExecutionProgress', 'saveManualExecutions', 'saveDataErrorExecution', 'saveDataSuccessExecution', 'executionTimeout', 'errorWorkflow', 'timezone', 'executionOrder'];
	return Object.fromEntries(Object.entries(settings).filter(([key]) => allowed.includes(key)));
}
