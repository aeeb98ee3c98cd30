/**
 * n8n's own v3 breaking-changes report (n8n 2.41 ships the 3.0 rules) run over our examples, read
 * through n8n's REST API as the editor does: the stack `npm start` runs (sandbox mode, every
 * example imported, the same workflows activated), then `POST /rest/breaking-changes/report/refresh
 * ?version=v3` and `GET …/report?version=v3`, and for each workflow-level rule that fired,
 * `GET …/report/<ruleId>` for the workflows it lists. None of them may be one of our examples.
 * A control workflow (an AI Agent on version 1.7, which the v3 rules retire) shows the scan is real.
 * Instance-level findings (how this n8n is run, not our workflows) are printed, not failed.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import { randomUUID } from 'node:crypto';
import { WORKFLOW, loadExamples, n8nEnv, startStack, type Stack } from '../../scripts/local';

type Json = any;

const CONTROL_ID = 'dsV3ControlAgent';
/** Not an example: an AI Agent below version 2, which rule agent-node-version-v3 must list. */
const controlWorkflow = {
	id: CONTROL_ID,
	name: 'v3 report control (AI Agent 1.7)',
	versionId: randomUUID(),
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: randomUUID(), name: 'Old agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 1.7, position: [300, 0], parameters: { options: {} } },
	],
	connections: { Start: { main: [[{ node: 'Old agent', type: 'main', index: 0 }]] } },
};

interface AffectedWorkflow {
	id: string;
	name: string;
	issues: Array<{ title: string; level: string; nodeName?: string }>;
}

let stack: Stack | undefined;
let examples: Array<{ id: string; name: string }>;
let summary: Json;
/** Each workflow-level rule that fired → the workflows it lists. */
const affectedByRule = new Map<string, AffectedWorkflow[]>();

describe("n8n's v3 breaking-changes report (n8n 2.41) over every example", () => {
	beforeAll(async () => {
		stack = await startStack({
			major: 2,
			sandbox: { timeScale: 0.05 },
			examples: 'all',
			workflows: (vars) => {
				examples = loadExamples(vars);
				return [controlWorkflow];
			},
			n8nApiCredential: true,
			// What npm start activates in sandbox mode (saving through the API may write settings the rules read).
			activate: [WORKFLOW.paid, WORKFLOW.refund, WORKFLOW.pickup, WORKFLOW.alerts, WORKFLOW.weChatPay, WORKFLOW.alipay, WORKFLOW.unfinished],
		});
		const refreshed = await stack.client.rest('POST', '/breaking-changes/report/refresh?version=v3');
		expect(refreshed.report.targetVersion).toBe('v3');
		summary = await stack.client.rest('GET', '/breaking-changes/report?version=v3');
		for (const rule of summary.report.workflowResults as Json[]) {
			const detail = await stack.client.rest('GET', `/breaking-changes/report/${encodeURIComponent(rule.ruleId)}`);
			affectedByRule.set(rule.ruleId, detail.affectedWorkflows as AffectedWorkflow[]);
		}
	}, 300_000);
	afterAll(async () => {
		await stack?.stop();
	}, 60_000);

	it('the report is v3, from this n8n, over every example and the control workflow', () => {
		expect(summary.report).toMatchObject({ targetVersion: 'v3', currentVersion: stack?.install.version });
		expect(stack?.install.version).toMatch(/^2\./);
		expect(examples.map((wf) => wf.id).sort()).toEqual(Object.values(WORKFLOW).sort());
		expect(summary.totalWorkflows).toBe(examples.length + 1);
	});

	it('the scan is real: the control workflow (AI Agent 1.7) is listed by agent-node-version-v3', () => {
		const listed = affectedByRule.get('agent-node-version-v3') ?? [];
		expect(listed.map((wf) => wf.id)).toContain(CONTROL_ID);
		expect(listed.find((wf) => wf.id === CONTROL_ID)?.issues[0]).toMatchObject({ nodeName: 'Old agent' });
	});

	it('no workflow-level rule lists any of our examples (by id or name)', () => {
		const ids = new Set(examples.map((wf) => wf.id));
		const names = new Set(examples.map((wf) => wf.name));
		const findings = [...affectedByRule].flatMap(([ruleId, workflows]) =>
			workflows.filter((wf) => ids.has(wf.id) || names.has(wf.name)).map((wf) => `${ruleId}: ${wf.name} — ${wf.issues.map((i) => i.title).join('; ')}`),
		);
		expect(findings).toEqual([]);
		// Every rule that fired fired for the control workflow only.
		for (const workflows of affectedByRule.values()) expect(workflows.map((wf) => wf.id)).toEqual([CONTROL_ID]);
	});

	it('instance-level findings are about how this n8n runs (printed), and include the unconditional ones', () => {
		const instance = summary.report.instanceResults as Json[];
		console.log(
			`v3 report, instance level (${instance.length}):\n` +
				instance.map((r) => `  ${r.ruleId} [${r.ruleSeverity}] ${r.ruleTitle}\n${(r.instanceIssues as Json[]).map((i) => `    - ${i.title}`).join('\n')}`).join('\n'),
		);
		const ruleIds = instance.map((r) => r.ruleId);
		expect(ruleIds).toContain('workflow-import-url-removed-v3'); // reported on every instance
		// Fires exactly when N8N_UNVERIFIED_PACKAGES_ENABLED is not set for n8n (our packages are unverified).
		const unverifiedSet = stack ? n8nEnv(stack.settings).N8N_UNVERIFIED_PACKAGES_ENABLED !== undefined : false;
		expect(ruleIds.includes('unverified-packages-v3')).toBe(!unverifiedSet);
		for (const rule of instance) expect(rule).not.toHaveProperty('affectedWorkflows');
	});
});
