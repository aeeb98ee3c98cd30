import './n8n/env';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { DingShangApi } from '../../credentials/DingShangApi.credentials';
import { DingShangVending } from '../../nodes/DingShangVending/DingShangVending.node';
import { openSandbox, type SandboxClient } from '../helpers/sandboxClient';
import { runNode, type RunNodeResult } from './n8n/engine';

/** Runs the DingShang Vending node through n8n-core's engine against a sandbox. */
export function vendingRunner(client: SandboxClient, override: Partial<Record<'baseUrl' | 'appId' | 'appSecret' | 'signingKey', string>> = {}) {
	const credentials = {
		baseUrl: client.sb.baseUrl,
		appId: client.sb.appId,
		appSecret: client.sb.appSecret,
		signingKey: client.sb.signKey,
		...override,
	};
	return (parameters: Record<string, unknown>, items: IDataObject[] = [{}], continueOnFail = false): Promise<RunNodeResult> =>
		runNode({
			nodeTypes: { dingShangVending: new DingShangVending() },
			credentialTypes: { dingShangApi: new DingShangApi() },
			credentials: { dingShangApi: credentials },
			type: 'dingShangVending',
			parameters: parameters as INodeParameters,
			items,
			continueOnFail,
		});
}

/** Total API requests the sandbox received (it does not count its admin routes). */
export async function apiRequestCount(client: SandboxClient): Promise<number> {
	const state = await client.state();
	return Object.values(state.requests as Record<string, number>).reduce((sum, n) => sum + n, 0);
}

/** A sandbox and a runner for the whole test file: opened before its first test, closed after its last. */
export function sandboxForFile(): { client: () => SandboxClient; run: (...args: Parameters<ReturnType<typeof vendingRunner>>) => Promise<RunNodeResult> } {
	let client: SandboxClient | undefined;
	let run: ReturnType<typeof vendingRunner> | undefined;
	beforeAll(async () => {
		client = await openSandbox();
		run = vendingRunner(client);
	});
	afterAll(async () => client?.sb.close());
	return { client: () => client as SandboxClient, run: async (...args) => await (run as ReturnType<typeof vendingRunner>)(...args) };
}
