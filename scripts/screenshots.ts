/**
 * Retakes docs/screenshots/ from the running `npm start` editor (n8n 2.41) in headless Chromium:
 * the node panel's search, the WeChat Pay Notification Trigger found by 微信, workflow 3 run
 * with a stuck product, the Dispense and Payment Trigger panels with their hints, workflow 9, the
 * sandbox page. Dev-only, by hand:
 *
 *   npm start                 (in another terminal, sandbox mode)
 *   npm run screenshots       (installs Debian's chromium when missing, as root)
 *
 * N8N_PORT and SANDBOX_PORT as for npm start; CHROMIUM overrides /usr/bin/chromium.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';

import { DEMO_OWNER, WORKFLOW, launchChromium, n8nUrl } from './local';

const EDITOR = n8nUrl(Number(process.env.N8N_PORT ?? 5678));
const SANDBOX = n8nUrl(Number(process.env.SANDBOX_PORT ?? 3900));
const OUT = join(__dirname, '..', 'docs', 'screenshots');
const UI_TIMEOUT_MS = 15_000;

async function signIn(page: Page): Promise<void> {
	await page.goto(`${EDITOR}/signin`);
	await page.fill('input[name=emailOrLdapLoginId]', DEMO_OWNER.email);
	await page.fill('input[name=password]', DEMO_OWNER.password);
	await page.keyboard.press('Enter');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: UI_TIMEOUT_MS });
}

async function openWorkflow(page: Page, id: string): Promise<void> {
	await page.goto(`${EDITOR}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
}

async function searchNodePanel(page: Page, text: string): Promise<void> {
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]').first();
	await search.waitFor({ timeout: UI_TIMEOUT_MS });
	await search.fill(text);
	await page.waitForTimeout(800); // the list filters as one types
}

async function openNode(page: Page, name: string): Promise<void> {
	await page.locator('[data-test-id="canvas-node"]', { hasText: name }).first().dblclick();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
	await page.waitForTimeout(800);
}

async function shoot(page: Page, file: string): Promise<void> {
	await page.screenshot({ path: join(OUT, file) });
	console.log(`docs/screenshots/${file}`);
}

async function main(): Promise<void> {
	const browser = await launchChromium({ install: true });
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		await signIn(page);

		// "What happens next?" after a node: each action node with its own description.
		await openWorkflow(page, WORKFLOW.tryIt);
		await searchNodePanel(page, 'DingShang');
		await shoot(page, 'node-panel-search.png');

		// A new workflow's first step: a search for 微信 lands on the WeChat Pay action.
		await page.goto(`${EDITOR}/workflow/new`);
		await page.locator('[data-test-id="canvas-plus-button"], [data-test-id="canvas-add-button"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
		await searchNodePanel(page, '微信');
		await page.locator('[data-test-id="item-iterator-item"]', { hasText: 'WeChat Pay Notification' }).first().click();
		await page.waitForTimeout(800);
		await shoot(page, 'node-panel-wechat.png');

		// The first click with a stuck product: the item leaves on "Not dispensed"; the Dispense
		// panel then shows its hints and the output with outcome and refund_key first.
		const fault = { kind: 'deliveryFail', machineNo: '10000002', floorStatus: '2', errorMsg: 'Goods are Stuck' };
		const injected = await fetch(`${SANDBOX}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });
		if (!injected.ok) throw new Error(`the sandbox on ${SANDBOX} refused the fault (${injected.status})`);
		await openWorkflow(page, WORKFLOW.tryIt);
		await page.locator('[data-test-id="execute-workflow-button"]').first().click();
		await page.locator('[data-test-id="canvas-node"]', { hasText: 'Not dispensed 未出货' }).locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1000);
		await shoot(page, 'try-it-run.png');
		await openNode(page, 'Dispense');
		await shoot(page, 'put-delivery-node.png');

		await openWorkflow(page, WORKFLOW.weChatPay);
		await openNode(page, 'Payment received');
		await shoot(page, 'payment-trigger-panel.png');

		// Workflow 9: the Unfinished Payments trigger's three outputs, Refund Due routed by provider.
		await openWorkflow(page, WORKFLOW.unfinished);
		await page.waitForTimeout(1500); // the canvas fades in
		await shoot(page, 'unfinished-payments.png');

		// The sandbox page: what a merchant presses instead of typing curl.
		await page.goto(`${SANDBOX}/`);
		await page.locator('#state').waitFor({ timeout: UI_TIMEOUT_MS });
		await shoot(page, 'sandbox-page.png');
	} finally {
		await browser.close();
	}
}

main().catch((error: Error) => {
	console.error(`screenshots failed: ${error.message}`);
	process.exit(1);
});
