/**
 * The credentials helper n8n's CLI gives n8n-core (packages/cli/src/credentials-helper.ts), cut
 * to what our credentials (credentials/*.credentials.ts) use: plain stored data with the type's
 * defaults (getDecrypted) and the generic `authenticate` with `={{$credentials.x}}` values.
 * No database, no encryption. Credential types using anything else (OAuth, `extends`,
 * `preAuthentication`, function-form `authenticate`, `restrictToSupportedNodes`) are refused when
 * the helper is built, so a test can never pass on behaviour this helper does not have; the real
 * helper is exercised by the e2e suites in real n8n.
 */
import './env'; // first: before n8n-core is loaded

import {
	ApplicationError,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { AnyNodeType } from './nodeTypes';

/** Throws for a credential type that needs more of n8n's helper than this one has. */
function assertSupported(type: ICredentialType): void {
	const unsupported = [
		type.extends?.length ? '`extends` (e.g. OAuth2)' : undefined,
		typeof type.authenticate === 'function' ? 'function-form `authenticate`' : undefined,
		typeof type.authenticate === 'object' && type.authenticate.type !== 'generic' ? `authenticate.type "${type.authenticate.type}"` : undefined,
		type.preAuthentication ? '`preAuthentication`' : undefined,
		type.restrictToSupportedNodes ? '`restrictToSupportedNodes`' : undefined,
	].filter(Boolean);
	if (unsupported.length > 0) {
		throw new ApplicationError(`Credential type "${type.name}" uses ${unsupported.join(', ')}, which the test harness does not support`);
	}
}

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		readonly credentialTypes: Record<string, ICredentialType>,
		/** Decrypted data per credential type name (one credential of each type). */
		readonly credentials: Record<string, ICredentialDataDecryptedObject> = {},
		/**
		 * The node types of the workflow. Only n8n's `restrictToSupportedNodes` check would need
		 * them, and no credential type using it is accepted; the parameter stays for callers.
		 */
		_nodeTypes?: Record<string, AnyNodeType>,
	) {
		super();
		Object.values(credentialTypes).forEach(assertSupported);
	}

	private type(name: string): ICredentialType {
		const type = this.credentialTypes[name];
		if (!type) throw new ApplicationError(`Unknown credential type "${name}" (not given to the harness)`);
		return type;
	}

	/** No accepted type `extends` another, so none has parents (n8n-core asks, e.g. for OAuth2). */
	getParentTypes(_name: string): string[] {
		return [];
	}

	/** Only `restrictToSupportedNodes` can make this false, and no such type is accepted. */
	isCredentialUsableByNode(_credentialType: string, _nodeType: string): boolean {
		return true;
	}

	/** As CredentialsHelper.authenticate for `generic`: each `={{$credentials.x}}` resolved into the request. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate !== 'object') return requestOptions as IHttpRequestOptions; // no `authenticate`
		if (!workflow || !node) throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
		requestOptions.headers ??= {};
		const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
		const resolve = (value: string) => {
			// As the CLI's resolveValue(): only "=..." is an expression; mode 'internal', default '', toString().
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
			return resolved ? resolved.toString() : '';
		};
		for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
			for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
				target[outerKey] ??= {};
				target[outerKey][resolve(key)] = resolve(value);
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** n8n-core calls this before every authenticated request; without `preAuthentication` the CLI answers undefined. */
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new ApplicationError(`getCredentials("${type}") (encrypted credentials) is not supported by the harness`);
	}

	/** As CredentialsHelper.getDecrypted: the CLI's errors for a missing id / credential, then the type's defaults. */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: WorkflowExecuteMode,
		_executeData?: unknown,
		raw?: boolean,
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
		return raw === true ? structuredClone(stored) : this.withDefaults(type, stored);
	}

	/**
	 * The data as a node or the credential test gets it (the CLI's applyDefaultsAndOverwrites, minus
	 * overwrites): NodeHelpers.getNodeParameters fills in the defaults and drops unknown fields.
	 * n8n would also resolve `={{…}}` values (`$secrets`, `$env`); no test of ours stores one, so
	 * such a value is refused rather than passed on unresolved.
	 */
	withDefaults(type: string, data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
		for (const [name, value] of Object.entries(data)) {
			if (isExpression(value)) throw new ApplicationError(`Credential field "${name}" holds an expression, which the test harness does not resolve`);
		}
		const properties = this.getCredentialsProperties(type);
		return NodeHelpers.getNodeParameters(properties, structuredClone(data) as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject;
	}

	/** Only `preAuthentication` and OAuth write credentials back; neither is accepted. */
	async updateCredentials(_ref: INodeCredentialsDetails, type: string): Promise<void> {
		throw new ApplicationError(`updateCredentials("${type}") is not supported by the harness`);
	}

	async updateCredentialsOauthTokenData(_ref: INodeCredentialsDetails, type: string): Promise<void> {
		throw new ApplicationError(`updateCredentialsOauthTokenData("${type}") (OAuth) is not supported by the harness`);
	}

	/** The type's own properties (no `extends` to merge). */
	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}
}
