/**
 * The credential dialog's "Test" button for a credential type with its own `test` request
 * (DingShangApi, DingShangN8nApi), as n8n 2.x's CredentialsTester.testCredentials runs it: the
 * request is executed by n8n-core's RoutingNode on a temporary noOp node, so `={{$credentials.x}}`
 * is resolved by n8n and `authenticate` applied by the credentials helper; then the `rules`.
 * Credentials tested by a node's `testedBy` function (WeChat Pay, Alipay) are not run through
 * here: tests call those functions directly.
 */
import './env'; // first: before n8n-core is loaded

import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	ApplicationError,
	NodeConnectionTypes,
	Workflow,
	createEmptyRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialType,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import { createAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentials';
import { TestNodeTypes } from './nodeTypes';

/** lodash.get for dotted/bracketed paths, as the CLI uses for `responseSuccessBody` rules. */
function getPath(obj: unknown, path: string): unknown {
	return path
		.replace(/\[(\w+)\]/g, '.$1')
		.split('.')
		.filter(Boolean)
		.reduce<unknown>((acc, key) => (acc == null ? undefined : (acc as Record<string, unknown>)[key]), obj);
}

export async function testCredential(credentialType: ICredentialType, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const typeName = credentialType.name;
	const testRequest = credentialType.test;
	if (!testRequest) throw new ApplicationError(`Credential type "${typeName}" has no \`test\` request (a node's testedBy function is called directly)`);

	// The helper's getDecrypted answers the data under test, with defaults, as the CLI's proxy does.
	const credentialsHelper = new TestCredentialsHelper({ [typeName]: credentialType }, { [typeName]: data });
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: `test-${typeName}`,
		name: `${typeName} (test)`,
		type: typeName,
		data: credentialsHelper.withDefaults(typeName, data), // prepareCredentialsForTest
	};

	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		credentials: { [typeName]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	// A noOp node type whose only property routes the test request (as the CLI builds it).
	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation, do nothing',
			name: node.type,
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: typeName, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' }],
		},
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: new TestNodeTypes({ [node.type]: nodeType }) });
	const additionalData = createAdditionalData(credentialsHelper, undefined, { currentNodeParameters: node.parameters });
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
	const routingNode = new RoutingNode(executeFunctions, nodeType, credentialsDecrypted);
	const rules = testRequest.rules;

	// n8n-workflow 2.x keeps a NodeApiError's `cause`: `responseCode` rules apply, any other non-2xx
	// status answers its status text (401 → "Unauthorized") and a request without a response its
	// error code (e.g. "ECONNREFUSED"), as the CLI does. (n8n 1.x lost the cause and answered the
	// NodeApiError's message instead; the e2e suites cover both majors.)
	let response: INodeExecutionData[][] | null | undefined;
	try {
		await workflow.expression.acquireIsolate();
		response = await routingNode.runNode();
	} catch (e) {
		const error = e as Error & { cause?: { code?: string; response?: { status: number; statusText?: string } } };
		if (error.cause?.response) {
			const { status, statusText } = error.cause.response;
			for (const rule of rules ?? []) {
				if (rule.type === 'responseCode' && status === rule.properties.value) return { status: 'Error', message: rule.properties.message };
			}
			// The CLI's bounds, verbatim: `< 199 || > 299`.
			if (status < 199 || status > 299) return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	} finally {
		await workflow.expression.releaseIsolate();
	}

	for (const rule of rules ?? []) {
		if (rule.type === 'responseSuccessBody' && getPath(response![0][0].json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
