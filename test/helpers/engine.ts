/**
 * Run one of our nodes through n8n-core's real engine (WorkflowExecute), in-process:
 *
 *   [test.items] ──main──▶ [node under test]
 *
 * `this.getCredentials`, `this.helpers.httpRequest(WithAuthentication)`, `this.getNodeParameter`,
 * `this.continueOnFail`, `this.getWorkflowStaticData` are n8n-core's own; only the surroundings the
 * CLI normally provides (node types, credentials store, additionalData, hooks) come from
 * ./n8n-runtime.ts.
 */
import './n8n-env'; // first: must run before n8n-core is loaded

import {
	CredentialTestContext,
	ExecuteContext,
	ExecutionLifecycleHooks,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import {
	NodeConnectionTypes,
	VersionedNodeType,
	type ICredentialsHelper,
	Workflow,
	createEmptyRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunction,
	type ICredentialTestRequestData,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IRun,
	type IWorkflowBase,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import {
	TestCredentialsHelper,
	TestNodeTypes,
	createAdditionalData,
	credentialRefs,
	latestVersion,
	type AnyNodeType,
} from './n8n-runtime';

export interface ChainNode {
	name: string;
	type: string; // key in nodeTypes, e.g. 'dingShangVending' or 'n8n-nodes-base.code'
	parameters: INodeParameters;
	/** Default: latest version of the node type. */
	typeVersion?: number;
	continueOnFail?: boolean; // sets node.onError = 'continueRegularOutput'
	/** Credential type names the node uses (their data comes from `credentials`). */
	credentials?: string[];
}

export interface RunChainOptions {
	nodeTypes: Record<string, AnyNodeType>; // e.g. { dingShangVending: new DingShangVending() }
	credentialTypes: Record<string, ICredentialType>; // e.g. { dingShangApi: new DingShangApi() }
	credentials?: Record<string, ICredentialDataDecryptedObject>; // decrypted data per credential type name
	/** Nodes run one after another: Input → chain[0] → chain[1] → … */
	chain: ChainNode[];
	items?: IDataObject[]; // input items (json) fed from the Input node, default [{}]
	/** Default 'manual' (editor "Execute"); 'trigger' / 'webhook' are production runs. */
	mode?: WorkflowExecuteMode;
	/** Workflow static data at the start of the run. */
	staticData?: IDataObject;
}

export interface ChainNodeResult {
	/** All main outputs of the node; [] where it produced none / failed. */
	outputs: INodeExecutionData[][];
	/** The node's error as n8n records it (a plain copy of the NodeApiError/NodeOperationError fields). */
	error?: Error & Record<string, unknown>;
}

export interface RunChainResult {
	nodes: Record<string, ChainNodeResult>;
	run: IRun;
	/** Workflow static data after the run (plain JSON copy). */
	staticData: IDataObject;
}

export interface RunNodeOptions extends Omit<RunChainOptions, 'chain'> {
	type: string; // node type name to run, e.g. 'dingShangVending'
	parameters: INodeParameters;
	continueOnFail?: boolean;
	typeVersion?: number;
}

export interface RunNodeResult {
	/** Output items of the node under test (main output 0); [] if it produced none / failed. */
	items: INodeExecutionData[];
	/** All main outputs of the node under test. */
	outputs: INodeExecutionData[][];
	error?: Error & Record<string, unknown>;
	run: IRun;
	staticData: IDataObject;
}

export const INPUT_NODE_NAME = 'Input';
export const NODE_NAME = 'Node Under Test';

/** Test-only source node: outputs the items it was built with. */
function itemsNodeType(items: IDataObject[]): INodeType {
	return {
		description: {
			displayName: 'Test Items',
			name: 'test.items',
			group: ['input'],
			version: 1,
			description: 'Outputs fixed items (test harness only)',
			defaults: { name: INPUT_NODE_NAME },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute() {
			return [items.map((json) => ({ json: structuredClone(json) }))];
		},
	};
}

let executionCounter = 0;

/** One node after the Input node: what most tests need. */
export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	const { type, parameters, continueOnFail, typeVersion, ...rest } = opts;
	const credentials = Object.keys(opts.credentials ?? {});
	const result = await runChain({ ...rest, chain: [{ name: NODE_NAME, type, parameters, continueOnFail, typeVersion, credentials }] });
	const { outputs, error } = result.nodes[NODE_NAME];
	return { items: outputs[0] ?? [], outputs, error, run: result.run, staticData: result.staticData };
}

/** Runs Input → chain… through WorkflowExecute and resolves when the workflowExecuteAfter hook fires. */
export async function runChain(opts: RunChainOptions): Promise<RunChainResult> {
	const nodeTypes = new TestNodeTypes({ ...opts.nodeTypes, 'test.items': itemsNodeType(opts.items ?? [{}]) });
	const credentialsHelper = new TestCredentialsHelper(opts.credentialTypes, { ...opts.credentials }, opts.nodeTypes);
	const mode = opts.mode ?? 'manual';

	const inputNode: INode = {
		id: 'input',
		name: INPUT_NODE_NAME,
		type: 'test.items',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes: INode[] = [
		inputNode,
		...opts.chain.map((n, i) => ({
			id: `node-${i}`,
			name: n.name,
			type: n.type,
			typeVersion: n.typeVersion ?? latestVersion(nodeTypes.getByName(n.type)),
			position: [250 * (i + 1), 0] as [number, number],
			parameters: structuredClone(n.parameters), // the Workflow constructor rewrites node.parameters (adds defaults)
			credentials: credentialRefs(n.credentials ?? []),
			...(n.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		})),
	];
	const connections = Object.fromEntries(
		nodes.slice(0, -1).map((from, i) => [from.name, { main: [[{ node: nodes[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }]] }]),
	);
	const workflow = new Workflow({
		id: 'harness',
		name: 'Test harness',
		nodes,
		connections,
		active: false,
		nodeTypes,
		staticData: structuredClone(opts.staticData ?? {}),
		settings: { executionOrder: 'v1' },
	});

	const executionId = `harness-${++executionCounter}`;
	const workflowData: IWorkflowBase = {
		id: workflow.id,
		name: workflow.name ?? '',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings: workflow.settings,
	};
	// The CLI resolves an execution when its workflowExecuteAfter hook fires; do the same.
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const additionalData = createAdditionalData(credentialsHelper, undefined, { hooks, executionId, workflowId: workflow.id });

	const workflowExecute = new WorkflowExecute(additionalData, mode);
	let running: Promise<IRun>;
	try {
		// As ManualExecutionService runs a full manual execution (no destination node, no pin data).
		running = workflowExecute.run({ workflow, startNode: inputNode });
	} catch (e) {
		// WorkflowHasIssuesError (e.g. a required parameter is missing): show which.
		const issues = workflowExecute.checkReadyForExecution(workflow, { startNode: INPUT_NODE_NAME });
		(e as Error).message += ` ${JSON.stringify(issues)}`;
		throw e;
	}
	const [run] = await Promise.all([finished, running]);

	const results: Record<string, ChainNodeResult> = {};
	for (const { name } of opts.chain) {
		const task = run.data.resultData.runData[name]?.[0];
		const outputs = (task?.data?.main ?? []).map((output) => output ?? []);
		// A failed node's error is on its task; a workflow-level error belongs to the node that stopped the run.
		const error = (task?.error ?? (opts.chain.length === 1 || run.data.resultData.lastNodeExecuted === name ? run.data.resultData.error : undefined)) as ChainNodeResult['error'];
		results[name] = { outputs, error };
	}
	return { nodes: results, run, staticData: JSON.parse(JSON.stringify(workflow.staticData)) };
}

// ---------------------------------------------------------------------------------------------
// Credential test ("Test" button in the credential dialog)
// ---------------------------------------------------------------------------------------------

/** lodash.get for dotted/bracketed paths, as the CLI uses for `responseSuccessBody` rules. */
function getPath(obj: unknown, path: string): unknown {
	return path
		.replace(/\[(\w+)\]/g, '.$1')
		.split('.')
		.filter(Boolean)
		.reduce<unknown>((acc, key) => (acc == null ? undefined : (acc as Record<string, unknown>)[key]), obj);
}

/** A minimal stand-in for n8n-nodes-base.noOp, which the CLI uses to host credential test requests. */
const noOpNodeType: INodeType = {
	description: {
		displayName: 'No Operation, do nothing',
		name: 'n8n-nodes-base.noOp',
		group: ['organization'],
		version: 1,
		description: 'No Operation',
		defaults: { name: 'No Operation, do nothing' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
};

/**
 * Mirrors CredentialsTester.getCredentialTestFunction (packages/cli/src/services/credentials-tester.service.ts):
 * the credential type's own `test` wins; only without it are the nodes' `testedBy` consulted (the
 * CLI looks at the credential's supported nodes, i.e. those listing it; here: the nodes given).
 * (The OAuth2 "has access token" shortcut is not reproduced.)
 */
function getCredentialTestFunction(
	credentialType: ICredentialType,
	nodeTypes: AnyNodeType[],
): ICredentialTestFunction | ICredentialTestRequestData | undefined {
	if (credentialType.test) return { testRequest: credentialType.test };
	for (const node of nodeTypes) {
		const versions = node instanceof VersionedNodeType ? Object.values(node.nodeVersions) : [node as INodeType];
		for (const nodeType of versions) {
			for (const { name, testedBy } of nodeType.description.credentials ?? []) {
				if (name !== credentialType.name || !testedBy) continue;
				if (typeof testedBy === 'string') {
					if (node instanceof VersionedNodeType) {
						// Versioned: latest version that has the function (the CLI sorts the keys as strings).
						for (const v of Object.keys(node.nodeVersions).sort().reverse()) {
							const fn = node.nodeVersions[parseInt(v, 10)].methods?.credentialTest?.[testedBy];
							if (fn) return fn;
						}
					}
					return (node as INodeType).methods?.credentialTest?.[testedBy];
				}
				return { nodeType, testRequest: testedBy };
			}
		}
	}
	return undefined;
}

/**
 * Runs a credential test the way n8n 2.41's CredentialsTester.testCredentials does:
 * defaults applied to the data (prepareCredentialsForTest), then the `test` request is executed by
 * n8n-core's RoutingNode on a temporary noOp node (expressions like `={{$credentials.baseUrl}}`
 * resolved by n8n, `authenticate` applied by the credentials helper, whose getDecrypted answers the
 * data under test), then `rules` are checked. `nodeTypes` is only needed for credentials without a
 * `test` of their own (`testedBy` on a node).
 */
export async function testCredential(
	credentialType: ICredentialType,
	data: ICredentialDataDecryptedObject,
	nodeTypes: AnyNodeType[] = [],
): Promise<INodeCredentialTestResult> {
	const typeName = credentialType.name;
	const testFunction = getCredentialTestFunction(credentialType, nodeTypes);
	if (testFunction === undefined) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}

	const credentialsHelper = new TestCredentialsHelper({ [typeName]: credentialType }, { [typeName]: data });
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: `test-${typeName}`,
		name: `${typeName} (test)`,
		type: typeName,
		data: structuredClone(data),
	};
	// prepareCredentialsForTest
	const baseAdditionalData = createAdditionalData(credentialsHelper);
	try {
		credentialsDecrypted.data = await credentialsHelper.applyDefaultsAndOverwrites(
			baseAdditionalData,
			credentialsDecrypted.data!,
			typeName,
			'internal',
		);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message.toString() };
	}

	if (typeof testFunction === 'function') {
		// Test function defined on the node (testedBy: 'name'). (The CLI also masks `$secrets` values in the message.)
		return await testFunction.call(new CredentialTestContext(baseAdditionalData), credentialsDecrypted);
	}

	const nodeType = testFunction.nodeType ?? noOpNodeType;
	const version = nodeType.description.version;
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: Array.isArray(version) ? version.slice(-1)[0] : version,
		position: [0, 0],
		credentials: { [typeName]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	// Copy of the node type whose only property routes the test request (as the CLI builds it).
	const nodeTypeCopy: INodeType = {
		description: {
			...nodeType.description,
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testFunction.testRequest.request },
					default: '',
				},
			],
		},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes({ [nodeTypeCopy.description.name]: nodeTypeCopy }),
	});
	// The CLI proxies the credentials helper so that getDecrypted (not raw) answers the data under test.
	const getDecrypted: ICredentialsHelper['getDecrypted'] = async (additional, nodeCredentials, type, mode, executeData, raw, ...rest) =>
		raw
			? await credentialsHelper.getDecrypted(additional, nodeCredentials, type, mode, executeData, raw, ...rest)
			: (credentialsDecrypted.data ?? {});
	const proxiedHelper = new Proxy(credentialsHelper, {
		get(target, prop) {
			if (prop === 'getDecrypted') return getDecrypted;
			const value = Reflect.get(target, prop) as unknown;
			return typeof value === 'function' ? value.bind(target) : value;
		},
	});
	const additionalData = createAdditionalData(proxiedHelper, undefined, { currentNodeParameters: node.parameters });
	const executeFunctions = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(executeFunctions, nodeTypeCopy, credentialsDecrypted);
	const rules = testFunction.testRequest.rules;

	// NB: n8n-workflow 1.x's NodeApiError lost its `cause` (a class field reset it), so with n8n 1.x
	// `responseCode` rules never matched and the NodeApiError's message was returned (401 →
	// "Authorization failed - please check your credentials"). n8n-workflow 2.x keeps the cause:
	// `responseCode` rules apply, any other non-2xx status answers its status text (401 →
	// "Unauthorized") and a request without a response its error code (e.g. "ECONNREFUSED"),
	// exactly as below.
	let response: INodeExecutionData[][] | null | undefined;
	try {
		await workflow.expression.acquireIsolate();
		response = await routingNode.runNode();
	} catch (e) {
		const error = e as Error & { cause?: { code?: string; response?: { status: number; statusText?: string } } };
		if (error.cause?.response) {
			const statusCode = error.cause.response.status;
			const statusMessage = error.cause.response.statusText;
			for (const rule of rules ?? []) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			// The CLI's bounds, verbatim: `< 199 || > 299`.
			if (statusCode < 199 || statusCode > 299) {
				return { status: 'Error', message: statusMessage || `Received HTTP status code: ${statusCode}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	} finally {
		await workflow.expression.releaseIsolate();
	}

	if (Array.isArray(rules)) {
		for (const rule of rules) {
			if (rule.type === 'responseSuccessBody') {
				const responseData = response![0][0].json;
				if (getPath(responseData, rule.properties.key) === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
