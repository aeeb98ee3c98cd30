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
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
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
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

// n8n-core's SSH tunnel manager starts a 60 s cleanup interval on first use, which keeps jest
// alive. Create it now and unref the timer (private field, hence the cast).
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

/**
 * Credentials helper holding plain (decrypted) credential data per credential type name.
 * Mirrors packages/cli/src/credentials-helper.ts (n8n 1.x): `authenticate`, `preAuthentication`,
 * `getDecrypted` → `applyDefaultsAndOverwrites`, `getCredentialsProperties`, `getParentTypes`.
 * Left out: the database, encryption, credential overwrites, external secrets, dynamic credentials.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		readonly credentialTypes: Record<string, ICredentialType>,
		readonly credentials: Record<string, ICredentialDataDecryptedObject> = {},
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = this.credentialTypes[name];
		if (!type) throw new ApplicationError(`Unknown credential type "${name}" (not given to the harness)`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name).extends ?? [];
		return parents.flatMap((parent) => [parent, ...(this.credentialTypes[parent] ? this.getParentTypes(parent) : [])]);
	}

	/** Mirrors CredentialsHelper.authenticate: function form, or `generic` with `={{$credentials.x}}` values. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object' && authenticate.type === 'generic') {
			requestOptions.headers ??= {};
			// Same resolution as the CLI's resolveValue(): only strings starting with "=" are expressions,
			// evaluated in mode 'internal' with $credentials as additional key, default '', toString().
			const resolve = (value: string) => {
				if (typeof value !== 'string' || !value.startsWith('=')) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? resolved.toString() : '';
			};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					target[outerKey] ??= {};
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** Mirrors CredentialsHelper.preAuthentication, except that refreshed data is kept in memory, not a DB. */
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
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			this.credentials[typeName] = { ...this.credentials[typeName], ...output } as ICredentialDataDecryptedObject;
			return Object.assign(credentials, output);
		}
		return undefined;
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
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.credentials[type];
		if (stored === undefined) {
			// Same wording as the CLI's CredentialNotFoundError.
			throw new ApplicationError(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
		}
		const data = structuredClone(stored);
		if (raw === true) return data;
		return this.applyDefaultsAndOverwrites(additionalData, data, type, mode, executeData, expressionResolveValues);
	}

	/**
	 * Mirrors CredentialsHelper.applyDefaultsAndOverwrites: NodeHelpers.getNodeParameters fills in
	 * defaults and DROPS fields that are unknown or hidden by displayOptions; then `={{...}}` values
	 * are resolved (against the node's context when there is one, else a mock workflow).
	 */
	applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		original: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): ICredentialDataDecryptedObject {
		const properties = this.getCredentialsProperties(type);
		let data = NodeHelpers.getNodeParameters(
			properties,
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (original.oauthTokenData !== undefined) data.oauthTokenData = original.oauthTokenData;

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { secretsEnabled: false });
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
			data = workflow.expression.getComplexParameterValue(
				mockNode,
				data as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				data,
			) as ICredentialDataDecryptedObject;
		}
		return data;
	}

	async updateCredentials(_ref: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.credentials[type] = data;
	}

	async updateCredentialsOauthTokenData(_ref: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.credentials[type] = { ...this.credentials[type], oauthTokenData: data.oauthTokenData };
	}

	/** Mirrors CredentialsHelper.getCredentialsProperties (incl. `extends` merging). */
	getCredentialsProperties(type: string): INodeProperties[] {
		const typeData = this.type(type);
		if (typeData.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
				return [
					...typeData.properties,
					{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', required: false, default: {} },
				];
			}
			return typeData.properties;
		}
		const combined: INodeProperties[] = [];
		for (const parent of typeData.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, typeData.properties);
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
 * additionalData as WorkflowExecuteAdditionalData.getBase() builds it in the CLI: URLs derived from
 * the base URLs the same way (`<webhook base>webhook`, `webhook-waiting`, `webhook-test`, `form-waiting`,
 * `<instance base>rest`), no-op UI callbacks, no sub-workflows, no task runners.
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
		startRunnerTask: unsupported('startRunnerTask (Code node task runner)'),
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		currentNodeExecutionIndex: 0,
		restApiUrl: `${urls.instance}rest`,
		instanceBaseUrl: urls.instance,
		formWaitingBaseUrl: `${urls.webhook}form-waiting`,
		webhookBaseUrl: `${urls.webhook}webhook`,
		webhookWaitingBaseUrl: `${urls.webhook}webhook-waiting`,
		webhookTestBaseUrl: `${urls.webhook}webhook-test`,
		currentNodeParameters: undefined,
		variables: {},
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		...extra,
	};
}
