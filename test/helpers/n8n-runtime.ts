/**
 * The few pieces n8n's CLI normally provides around n8n-core, rebuilt for tests:
 * a node-types registry, a credentials helper and the `additionalData` object.
 * Everything a node calls (`this.getCredentials`, `this.helpers.httpRequest*`,
 * `this.getNodeParameter`, static data, ...) stays n8n-core's own code.
 */
import './n8n-env'; // must run before n8n-core is loaded

import { Container } from '@n8n/di';
import { ExternalSecretsProxy, getAdditionalKeys } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	ApplicationError,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	getCredentialOwnRequestAllowedDomains,
	injectDomainRestrictionFields,
	isExpression,
	jsonParse,
	type CredentialInformation,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type IGetDecryptedCredentialsOptions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IVersionedNodeType,
	type IWorkflowDataProxyAdditionalKeys,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

// n8n-core's SSH tunnel manager starts a 60 s cleanup interval when first created. n8n-core 2.x
// already unrefs it; create it now and unref again in case a version does not (private field,
// hence the cast), so the timer can never keep jest alive.
const sshManager = Container.get(SSHClientsManager) as unknown as { cleanupTimer?: NodeJS.Timeout };
sshManager.cleanupTimer?.unref();

export type AnyNodeType = INodeType | IVersionedNodeType;

/** INodeTypes over a plain map (the CLI's NodeTypes does the same over the loaded packages). */
export class TestNodeTypes implements INodeTypes {
	constructor(readonly types: Record<string, AnyNodeType>) {}

	getByName(name: string): AnyNodeType {
		const type = this.types[name];
		if (!type) throw new ApplicationError(`Unknown node type "${name}" (not given to the harness)`);
		return type;
	}

	getByNameAndVersion(name: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(name), version);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(Object.keys(this.types).map((name) => [name, { className: name, sourcePath: '' }]));
	}
}

/** Latest version of a node type: what the editor puts on a newly added node. */
export function latestVersion(type: AnyNodeType): number {
	if ('nodeVersions' in type) return type.currentVersion;
	const { version } = type.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/** Node name → credentials reference, as stored on a workflow node (ids are fake). */
export function credentialRefs(names: string[]): INode['credentials'] {
	if (names.length === 0) return undefined; // a node with no credential selected has none at all
	return Object.fromEntries(names.map((name) => [name, { id: `test-${name}`, name: `${name} (test)` }]));
}

/** The CLI's NodeTypes stand-in used only to resolve credential expressions (CredentialsHelper's mockNodeTypes). */
const mockNode: INode = { id: 'mock', name: '', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {} };
const mockNodeTypes = new TestNodeTypes({
	mock: { description: { properties: [] } } as unknown as INodeType,
});

/** packages/cli/src/oauth/dcr-managed-fields.ts (n8n 2.x). */
const OAUTH_PINNED_FIELDS = [
	'useDynamicClientRegistration',
	'authUrl',
	'accessTokenUrl',
	'grantType',
	'authentication',
	'usePkce',
	'requestTokenUrl',
	'signatureMethod',
];
const DCR_MANAGED_CREDENTIAL_FIELDS = ['authUrl', 'accessTokenUrl', 'grantType', 'authentication', 'usePkce', 'clientId', 'clientSecret'];

const INVALID_JSON_VALUE = Symbol('invalidJsonValue');

/**
 * Mirrors restrictToCredentialDomains (credentials-helper.ts, n8n 2.x): the requests a credential's
 * `preAuthentication` hook issues are held to the credential's own 'domains' allowlist.
 */
function restrictToCredentialDomains(helpers: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): IHttpRequestHelper {
	return {
		helpers: {
			httpRequest: async (requestOptions: IHttpRequestOptions): Promise<unknown> => {
				const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
				if (allowedDomains === undefined) return await helpers.helpers.httpRequest(requestOptions);
				if (requestOptions.allowedDomains !== undefined) {
					throw new UserError(
						'This credential restricts requests to specific domains, which cannot be combined with the domains its authentication step asks for.',
					);
				}
				return await helpers.helpers.httpRequest({ ...requestOptions, allowedDomains });
			},
		},
	} as IHttpRequestHelper;
}

/**
 * Credentials helper holding plain (decrypted) credential data per credential type name.
 * Mirrors packages/cli/src/credentials-helper.ts (n8n 2.41): `authenticate`, `preAuthentication`,
 * `runPreAuthentication`, `isCredentialUsableByNode`, `getDecrypted` → `applyDefaultsAndOverwrites`,
 * `getCredentialsProperties`, `getParentTypes`. Like the CLI's loader (LoadNodesAndCredentials),
 * the domain-restriction fields (`allowedHttpRequestDomains`, `allowedDomains`) are added to the
 * properties of credential types that authenticate requests.
 * Left out: the database, encryption, credential overwrites, external secrets providers, dynamic
 * (end-user) credentials, the AI gateway, policy enforcement.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		readonly credentialTypes: Record<string, ICredentialType>,
		readonly credentials: Record<string, ICredentialDataDecryptedObject> = {},
		/** Node types given to the harness: the credential's "supported nodes" are those listing it. */
		readonly nodeTypes: Record<string, AnyNodeType> = {},
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = this.credentialTypes[name];
		if (!type) throw new ApplicationError(`Unknown credential type "${name}" (not given to the harness)`);
		return type;
	}

	/** The credential type's properties as the CLI's loader leaves them (domain-restriction fields injected). */
	private properties(type: ICredentialType): INodeProperties[] {
		return injectDomainRestrictionFields(type);
	}

	/** Mirrors CredentialTypes.getParentTypes (unknown types have no parents). */
	getParentTypes(name: string): string[] {
		const parents = this.credentialTypes[name]?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	/** Mirrors CredentialTypes.getSupportedNodes: the node types that list the credential (the loader's nodesByCredential). */
	private getSupportedNodes(name: string): string[] {
		const listing = Object.entries(this.nodeTypes)
			.filter(([, nodeType]) => {
				const versions = 'nodeVersions' in nodeType ? Object.values(nodeType.nodeVersions) : [nodeType];
				return versions.some((v) => v.description.credentials?.some((c) => c.name === name));
			})
			.map(([typeName]) => typeName);
		return listing.length > 0 ? listing : (this.credentialTypes[name]?.supportedNodes ?? []);
	}

	/** Mirrors CredentialsHelper.isCredentialUsableByNode (`restrictToSupportedNodes`). */
	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const typeDef = this.credentialTypes[credentialType];
		if (!typeDef) return true; // unknown type: let downstream code surface the real error
		if (!typeDef.restrictToSupportedNodes) return true;
		return this.getSupportedNodes(credentialType).includes(nodeType);
	}

	/** Mirrors CredentialsHelper.authenticate: function form, or `generic` with `={{$credentials.x}}` values. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object') {
			if (!workflow || !node) {
				throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
			}
			requestOptions.headers ??= {};
			if (authenticate.type === 'generic') {
				const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
				for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
					for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
						const keyResolved = this.resolveValue(key, { $credentials: credentials }, workflow, node);
						const valueResolved = this.resolveValue(value, { $credentials: credentials }, workflow, node);
						target[outerKey] ??= {};
						target[outerKey][keyResolved] = valueResolved;
					}
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** Same as the CLI's resolveValue(): only "=..." strings are expressions, mode 'internal', default '', toString(). */
	private resolveValue(value: string, additionalKeys: IWorkflowDataProxyAdditionalKeys, workflow: Workflow, node: INode): string {
		if (!isExpression(value)) return value;
		const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', additionalKeys, undefined, '');
		return resolved ? resolved.toString() : '';
	}

	/**
	 * Mirrors CredentialsHelper.preAuthentication, except that refreshed data is kept in memory, not a DB.
	 * As in n8n 2.x, fields the user stored as an expression are not overwritten (only the expirable one).
	 */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (expirable?.name === undefined || typeof type.preAuthentication !== 'function') return undefined;
		const isTestingCredentials = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) return undefined;
		const output = await type.preAuthentication.call(restrictToCredentialDomains(helpers, credentials), credentials);
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			const nodeCredentials = node.credentials[type.name];
			const stored = this.credentials[typeName] ?? {};
			const dataToPersist: ICredentialDataDecryptedObject = { ...stored };
			for (const [key, value] of Object.entries(output as ICredentialDataDecryptedObject)) {
				if (key === expirable.name || !isExpression(stored[key])) dataToPersist[key] = value;
			}
			await this.updateCredentials(nodeCredentials, type.name, dataToPersist);
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	/** Mirrors CredentialsHelper.runPreAuthentication (in-memory transformation, no expirable guard, no persistence). */
	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		const output = await type.preAuthentication.call(restrictToCredentialDomains(helpers, credentials), credentials);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new ApplicationError(`getCredentials("${type}") (encrypted credentials) is not supported by the harness`);
	}

	/** Mirrors CredentialsHelper.getDecrypted: stored data → defaults + expression resolution. */
	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
		_options?: IGetDecryptedCredentialsOptions,
	): Promise<ICredentialDataDecryptedObject> {
		if (!nodeCredentials.id) {
			// The CLI's CredentialMissingIdError.
			throw new UnexpectedError('Found credential with no ID.', { extra: { credentialName: nodeCredentials.name }, tags: { credentialType: type } });
		}
		const stored = this.credentials[type];
		if (stored === undefined) {
			// The CLI's CredentialNotFoundError (a UserError), same wording.
			throw new UserError(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
		}
		const data = structuredClone(stored);
		if (raw === true) return data;
		return await this.applyDefaultsAndOverwrites(additionalData, data, type, mode, executeData, expressionResolveValues);
	}

	/**
	 * Mirrors CredentialsHelper.applyDefaultsAndOverwrites (n8n 2.x): hidden OAuth fields owned by the
	 * type are dropped, NodeHelpers.getNodeParameters fills in defaults and DROPS fields that are
	 * unknown or hidden by displayOptions (oauthTokenData, allowedHttpRequestDomains, allowedDomains
	 * and, with dynamic client registration, the DCR fields are copied back); then `={{...}}` values
	 * are resolved (against the node's context when there is one, else a mock workflow), with
	 * `$secrets` available as for any credential (no external secrets provider is connected).
	 */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		original: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties(type);
		const storedData = { ...original };
		for (const field of OAUTH_PINNED_FIELDS) {
			if (properties.some((p) => p.name === field && p.type === 'hidden')) delete storedData[field];
		}
		// (Credential overwrites would be applied to storedData here.)
		let data = NodeHelpers.getNodeParameters(properties, storedData as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject;
		if (original.oauthTokenData !== undefined) data.oauthTokenData = original.oauthTokenData;
		if (data.allowedHttpRequestDomains === undefined && original.allowedHttpRequestDomains !== undefined) {
			data.allowedHttpRequestDomains = original.allowedHttpRequestDomains;
		}
		if (data.allowedDomains === undefined && original.allowedDomains !== undefined) data.allowedDomains = original.allowedDomains;
		if (data.useDynamicClientRegistration) {
			for (const field of DCR_MANAGED_CREDENTIAL_FIELDS) data[field] = original[field];
		}

		const parsedJsonLeaves = this.parseJsonLeafExpressionFields(properties, data);
		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			const v = expressionResolveValues;
			try {
				data = v.workflow.expression.getParameterValue(
					data as INodeParameters,
					v.runExecutionData,
					v.runIndex,
					v.itemIndex,
					v.node.name,
					v.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					data,
				) as ICredentialDataDecryptedObject;
			} catch (e) {
				(e as Error).message += ' [Error resolving credentials]';
				throw e;
			}
		} else {
			const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes: mockNodeTypes });
			await workflow.expression.acquireIsolate();
			try {
				data = this.resolveCredentialExpressions(workflow, properties, data, mode, additionalKeys);
			} finally {
				await workflow.expression.releaseIsolate();
			}
		}
		this.stringifyJsonLeafExpressionFields(data, parsedJsonLeaves);
		return data;
	}

	/** Mirrors resolveCredentialExpressions: all at once, else per field (fields opted in may fail silently). */
	private resolveCredentialExpressions(
		workflow: Workflow,
		properties: INodeProperties[],
		data: ICredentialDataDecryptedObject,
		mode: WorkflowExecuteMode,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
	): ICredentialDataDecryptedObject {
		const resolve = (parameters: ICredentialDataDecryptedObject) =>
			workflow.expression.getComplexParameterValue(mockNode, parameters as INodeParameters, mode, additionalKeys, undefined, undefined, data) as ICredentialDataDecryptedObject;
		try {
			return resolve(data);
		} catch (originalError) {
			const byName = new Map(properties.map((p) => [p.name, p]));
			const resolved: ICredentialDataDecryptedObject = {};
			for (const [name, value] of Object.entries(data)) {
				try {
					const one = resolve({ [name]: value });
					if (Object.prototype.hasOwnProperty.call(one, name)) resolved[name] = one[name];
				} catch {
					if (byName.get(name)?.typeOptions?.ignoreCredentialExpressionResolveError === true) continue;
					throw originalError;
				}
			}
			return resolved;
		}
	}

	/** Mirrors parseJsonLeafExpressionFields (`typeOptions.resolveCredentialJsonLeaves`). */
	private parseJsonLeafExpressionFields(properties: INodeProperties[], data: ICredentialDataDecryptedObject): Map<string, string> {
		const parsed = new Map<string, string>();
		for (const property of properties) {
			if (!property.typeOptions?.resolveCredentialJsonLeaves) continue;
			const value = data[property.name];
			if (typeof value !== 'string' || value === '') continue;
			const json = jsonParse<CredentialInformation | typeof INVALID_JSON_VALUE>(value, { fallbackValue: INVALID_JSON_VALUE });
			if (json === INVALID_JSON_VALUE) continue;
			parsed.set(property.name, value);
			data[property.name] = json;
		}
		return parsed;
	}

	private stringifyJsonLeafExpressionFields(data: ICredentialDataDecryptedObject, parsed: Map<string, string>) {
		for (const [name, originalValue] of parsed) {
			data[name] = JSON.stringify(data[name]) ?? originalValue;
		}
	}

	async updateCredentials(_ref: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.credentials[type] = data;
	}

	async updateCredentialsOauthTokenData(
		_ref: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
		_additionalData?: IWorkflowExecuteAdditionalData,
	) {
		this.credentials[type] = { ...this.credentials[type], oauthTokenData: data.oauthTokenData };
	}

	/** Mirrors CredentialsHelper.getCredentialsProperties (incl. `extends` merging). */
	getCredentialsProperties(type: string): INodeProperties[] {
		const typeData = this.type(type);
		const own = this.properties(typeData);
		if (typeData.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
				return [...own, { displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', required: false, default: {} }];
			}
			return own;
		}
		const combined: INodeProperties[] = [];
		for (const parent of typeData.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, own);
		return combined;
	}
}

export interface BaseUrls {
	/** Editor/instance base, e.g. http://127.0.0.1:5678/ (trailing slash). */
	instance: string;
	/** Webhook base, e.g. http://127.0.0.1:5678/ (the CLI's WEBHOOK_URL, trailing slash). */
	webhook: string;
}

/**
 * additionalData as WorkflowExecuteAdditionalData.getBase() builds it in the n8n 2.x CLI: URLs derived
 * from the base URLs the same way (`<webhook base>webhook`, `webhook-waiting`, `webhook-test`, `form`,
 * `form-waiting`, `form-test`, `mcp`, `mcp-test`, `rest`; WEBHOOK_URL set, so the test URLs use it too),
 * no-op UI callbacks, no sub-workflows, no agents, no task runners, no runtime credentials provider.
 */
export function createAdditionalData(
	credentialsHelper: ICredentialsHelper,
	urls: BaseUrls = { instance: 'http://127.0.0.1:5678/', webhook: 'http://127.0.0.1:5678/' },
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const unsupported = (what: string) => async () => {
		throw new ApplicationError(`${what} is not supported by the test harness`);
	};
	return {
		credentialsHelper,
		executeWorkflow: unsupported('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		// RuntimeCredentialProxyService without a provider answers undefined.
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unsupported('startRunnerTask (Code node task runner)'),
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		currentNodeExecutionIndex: 0,
		restApiUrl: `${urls.webhook}rest`,
		instanceBaseUrl: urls.instance,
		formBaseUrl: `${urls.webhook}form`,
		formWaitingBaseUrl: `${urls.webhook}form-waiting`,
		formTestBaseUrl: `${urls.webhook}form-test`,
		webhookBaseUrl: `${urls.webhook}webhook`,
		webhookWaitingBaseUrl: `${urls.webhook}webhook-waiting`,
		webhookTestBaseUrl: `${urls.webhook}webhook-test`,
		mcpBaseUrl: `${urls.webhook}mcp`,
		mcpTestBaseUrl: `${urls.webhook}mcp-test`,
		currentNodeParameters: undefined,
		variables: {},
		logAiEvent: () => {},
		logHitlResponse: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		...extra,
	};
}
