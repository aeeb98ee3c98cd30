/**
 * What `npm start` offers a merchant, without a terminal: the sandbox page (headless Chromium)
 * against real n8n 2.41 with the examples published as npm start publishes them. "Next dispense
 * fails", then workflow 3, shows the refund path (workflow 2 refunds once, the page lists it);
 * "Pay with WeChat Pay" runs workflow 6 through the payment sandbox's signed notification.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import type { Browser, Page } from 'playwright-core';
import { PAYMENT_WEBHOOK_ID, TRIGGER_WEBHOOK_ID, WORKFLOW, launchChromium, startStack, type Stack } from '../../scripts/local';
import { nodeOutput } from '../helpers/runData';
import { waitFor } from '../helpers/sandboxClient';

type Json = any;

let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;

/** Presses a button of the page and returns its result line once it says how it went. */
async function press(label: string): Promise<string> {
	await page.getByRole('button', { name: label }).click();
	// Labels are bilingual on this dev page ("Next dispense fails 下次出货失败"): match the English start.
	const result = page.locator('#result', { hasText: new RegExp(`^${label}[^\\n]* → `) });
	await result.waitFor({ timeout: 15_000 });
	return await result.innerText();
}

const finished = async (workflowId: string): Promise<Json[]> =>
	(await stack!.client.executions(workflowId)).filter((e: Json) => e.status !== 'running' && e.status !== 'new');

describe('the sandbox page drives real n8n (npm start, Chromium)', () => {
	beforeAll(async () => {
		stack = await startStack({
			major: 2,
			sandbox: { timeScale: 0.05 },
			examples: 'all',
			activate: [WORKFLOW.refund, WORKFLOW.weChatPay],
		});
		browser = await launchChromium({ install: true });
		page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		await page.goto(`${stack.sandbox!.baseUrl}/`);
		// n8n 2.x publishes in the background: wait until workflows 2 and 6 listen (401: no token / no signature).
		await stack.webhookAnswers(`${TRIGGER_WEBHOOK_ID}/delivery-result`, 401);
		await stack.webhookAnswers(`${PAYMENT_WEBHOOK_ID.weChatPay}/payment`, 401);
	}, 600_000);
	afterAll(async () => {
		await browser?.close();
		await stack?.stop();
	}, 60_000);

	it('"Next dispense fails", then workflow 3: workflow 2 refunds the order once, and the page shows the refund', async () => {
		expect(await page.locator('select[name=machine]').inputValue()).toBe('10000002');
		expect(await press('Next dispense fails')).toContain('done');
		const run = await stack!.execute(WORKFLOW.tryIt, 90_000);
		const [failed] = nodeOutput(run.data.resultData.runData, 'Dispense', 1);
		expect(failed).toMatchObject({ outcome: 'failed', fail_reason: 'Goods are Stuck' });
		const refunds = await waitFor(async () => {
			const mine = stack!.payments!.plainRefunds().filter((r: Json) => r.order_id === failed.order_id);
			return mine.length > 0 ? mine : undefined;
		}, 60_000, 250);
		expect(refunds).toEqual([expect.objectContaining({ refund_key: failed.refund_key, attempts: 1 })]);
		await page.locator('#state', { hasText: failed.refund_key }).waitFor({ timeout: 10_000 });
	}, 180_000);

	it('"Pay with WeChat Pay" pays a new order into workflow 6, which dispenses it', async () => {
		const before = (await finished(WORKFLOW.weChatPay)).length;
		expect(await press('Pay with WeChat Pay')).toContain('done');
		const execution = await waitFor(async () => {
			const runs = await finished(WORKFLOW.weChatPay);
			return runs.length > before ? runs[0] : undefined;
		}, 60_000, 500);
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution.data.resultData.runData, 'Dispense')).toEqual([expect.objectContaining({ outcome: 'dispensed' })]);
	}, 120_000);
});
