/**
 * Run one of our nodes through n8n-core's real engine (WorkflowExecute), in-process:
 *
 *   [test.items] ──main──▶ [node under test] (──main──▶ [next node] …)
 *
 * `this.getCredentials`, `this.helpers.httpRequest(WithAuthentication)`, `this.getNodeParameter`,
 * `this.continueOnFail`, `this.getWorkflowStaticData` are n8n-core's own; only the surroundings the
 * CLI normally provides (node types, credentials, additionalData, hooks) come from this folder.
 */
import './env'; // first: must run before n8n-core is loaded

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IRun,
	type IWorkflowBase,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { createAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentials';
import { TestNodeTypes, credentialRefs, latestVersion, type AnyNodeType } from './nodeTypes';

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
