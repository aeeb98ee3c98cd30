import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';

import { getDingShangCredentials } from '../shared/dingshang/transport';
import { readHandled, writeHandled } from './handled';
import { getWorkflow, listWorkflows, type N8nApi, readN8nApi } from './n8nApi';
import { parseSettings, SettingError, type WatchSettings } from './settings';
import { type Report, Watcher } from './watch';

export class DingShangUnfinishedPaymentsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Unfinished Payments Trigger',
		name: 'dingShangUnfinishedPaymentsTrigger',
		icon: { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Finish payments n8n left unfinished',
		description: 'Starts the workflow when a payment that n8n left unfinished (crash, restart, error) was finished: dispensed late, or set to refund for the next node, once',
		defaults: { name: 'DingShang Unfinished Payments' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Finished', 'Refund Due', 'Needs You'],
		credentials: [
			{ name: 'dingShangN8nApi', required: true, displayName: 'n8n API (to watch payment workflows)' },
			{ name: 'dingShangApi', required: true, displayName: 'DingShang API' },
		],
		properties: [
			{
				displayName:
					'Publish this workflow. If n8n stops in the middle of a payment (crash, restart, a worker lost), this finishes it: dispense if the customer may still be at the machine, else set the order to Refund and send the refund on "Refund Due" — connect the WeChat Pay / Alipay Refund node there; a refund this workflow could not finish is sent again, once.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Payment Workflow Names or IDs',
				name: 'workflowIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getWorkflows' },
				default: [],
				required: true,
				description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Workflows that start from a payment (e.g. DingShang 1, 6, 7)',
			},
			{
				displayName: 'Dispense Window (Minutes)',
				name: 'dispenseWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0.1, maxValue: 1440 },
				default: 3,
				description: 'How long after the payment the customer is likely still at the machine. Younger payments are dispensed late; older ones are refunded.',
				hint: 'Minutes after payment: younger → dispense late, older → refund',
			},
			{
				displayName: 'Check Every (Seconds)',
				name: 'checkEverySeconds',
				type: 'number',
				typeOptions: { minValue: 5, maxValue: 300 },
				default: 15,
				description: "How often n8n's executions are looked at. Keep it below QUEUE_WORKER_LOCK_DURATION (60 s by default) in queue mode.",
				hint: 'Seconds between checks; below 60 (n8n queue lock time)',
			},
			{
				displayName: 'Look Back (Hours)',
				name: 'lookBackHours',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 168 },
				default: 24,
				description: 'Executions that started longer ago are left alone',
				hint: 'Hours: older executions are left alone',
			},
		],
	};

	methods = {
		loadOptions: {
			async getWorkflows(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const workflows = await listWorkflows(this, await readN8nApi(this));
				return workflows
					.sort((a, b) => a.name.localeCompare(b.name))
					.map((w) => ({ name: `${w.name}${w.active ? '' : ' (not published)'}`, value: w.id, description: `ID ${w.id}` }));
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const settings = readSettings(this);
		const n8n = await readN8nApi(this);
		await checkWorkflows(this, n8n, settings);
		const creds = await getDingShangCredentials(this);
		// Its own workflow is watched too: a refund whose worker died is handed on again (ownExecutions.ts).
		const ownId = String(this.getWorkflow().id ?? '');
		const editorUrl = n8n.baseUrl.replace(/\/api\/v1$/, '');
		const lookBackMs = settings.lookBackHours * 3_600_000;
		const staticData = this.getWorkflowStaticData('node');
		const handled = readHandled(staticData.handled, Date.now() - lookBackMs);
		const watcher = new Watcher({ ctx: this, n8n, editorUrl }, settings, (key) => handled.has(key), ownId);
		const env = () => ({ ctx: this, creds, windowMinutes: settings.windowMinutes, now: Date.now() });
		const log = (line: string) => this.logger.warn(`DingShang Unfinished Payments: ${line}`);

		const report = (r: Report) => {
			handled.set(r.key, Date.now());
			// Saved by n8n with this emit: a report is never sent twice from this trigger.
			staticData.handled = writeHandled(handled, Date.now() - lookBackMs);
			this.emit(r.outputs.map((items) => items.map((json) => ({ json }))));
		};

		if (this.getMode() === 'manual') {
			// "Test" only lists what is unfinished; nothing is dispensed or refunded from the editor.
			const manualTriggerFunction = async () => {
				const unfinished = await watcher.look(Date.now());
				const items: IDataObject[] = [];
				for (const execution of unfinished) {
					if (watcher.isOwn(execution)) {
						const { refundDue, full } = await watcher.refundDueOf(execution);
						if (refundDue.length > 0) items.push({ outcome: 'unfinished', execution_id: full.id, workflow_id: full.workflowId, execution_status: full.status, refunds_due: refundDue });
						continue;
					}
					const { payments, full } = await watcher.paymentsOf(execution);
					items.push({ outcome: 'unfinished', execution_id: full.id, workflow_id: full.workflowId, execution_status: full.status, payments: payments as unknown as IDataObject[] });
				}
				if (items.length === 0) items.push({ outcome: 'nothing_unfinished', message: 'No unfinished payment in the chosen workflows.', messageZh: '所选工作流中没有未完成的付款。' });
				this.emit([items.map((json) => ({ json })), [], []]);
			};
			return { manualTriggerFunction };
		}

		let stopped = false;
		const loop = async () => {
			await sleep(1000);
			while (!stopped) {
				try {
					const unfinished = await watcher.look(Date.now());
					if (!stopped) watcher.finishAll(unfinished, env, (r) => !stopped && report(r), log);
				} catch (error) {
					log((error as Error).message);
				}
				// In 1-s steps, so a deactivated workflow stops looking within a second.
				for (let waited = 0; waited < settings.checkEverySeconds && !stopped; waited++) await sleep(1000);
			}
		};
		void loop();
		return {
			closeFunction: async () => {
				stopped = true;
			},
		};
	}
}

function readSettings(ctx: ITriggerFunctions): WatchSettings {
	try {
		return parseSettings({
			workflowIds: ctx.getNodeParameter('workflowIds', []),
			windowMinutes: ctx.getNodeParameter('dispenseWindowMinutes', 3),
			checkEverySeconds: ctx.getNodeParameter('checkEverySeconds', 15),
			lookBackHours: ctx.getNodeParameter('lookBackHours', 24),
		});
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error instanceof SettingError ? error.message : (error as Error).message);
	}
}

/** Every chosen workflow must exist (a wrong API key fails here too, with its own message). */
async function checkWorkflows(ctx: ITriggerFunctions, n8n: N8nApi, settings: WatchSettings): Promise<void> {
	for (const id of settings.workflowIds) {
		try {
			await getWorkflow(ctx, n8n, id);
		} catch (error) {
			if ((error as { httpCode?: string }).httpCode === '404') {
				throw new NodeOperationError(ctx.getNode(), `Invalid "Payment Workflow Names or IDs": this n8n has no workflow with ID "${id}"`);
			}
			throw error instanceof NodeApiError ? error : new NodeApiError(ctx.getNode(), { message: (error as Error).message });
		}
	}
}
