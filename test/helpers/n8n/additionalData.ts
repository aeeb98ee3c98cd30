/**
 * The `additionalData` object n8n's CLI hands every execution context
 * (WorkflowExecuteAdditionalData.getBase): the credentials helper, the instance's URLs and
 * callbacks. Only what our nodes reach is real; the rest answers "not supported" or does nothing.
 */
import './env'; // first: before n8n-core is loaded

import { ExternalSecretsProxy } from 'n8n-core';
import { ApplicationError, type ICredentialsHelper, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';

export interface BaseUrls {
	/** Editor/instance base, e.g. http://127.0.0.1:5678/ (trailing slash). */
	instance: string;
	/** Webhook base, e.g. http://127.0.0.1:5678/ (the CLI's WEBHOOK_URL, trailing slash). */
	webhook: string;
}

/**
 * URLs are derived from the base URLs as the CLI does (`<webhook base>webhook`, `webhook-waiting`,
 * `form`, …); our triggers read `webhookBaseUrl` through `getNodeWebhookUrl`. No sub-workflows,
 * no task runner (Code node), no external secrets provider connected.
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
		getRuntimeCredential: async () => undefined, // the CLI's answer without a runtime-credentials provider
		startRunnerTask: unsupported('startRunnerTask (Code node task runner)'),
		externalSecretsProxy: new ExternalSecretsProxy(), // no provider: `$secrets` is empty
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
