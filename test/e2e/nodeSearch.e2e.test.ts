/**
 * The node panel of real n8n 2.41 in headless Chromium: a merchant who types Chinese finds our
 * nodes. The interface is English (n8n's verification), but each node's codex keeps Chinese search
 * aliases — kept only because this shows n8n's search really matches them (the editor searches
 * `displayName` and `codex.alias`). A word in no alias finds none of our nodes, so the check is real.
 * `npm test` builds dist/ first; running this file alone needs `npm run build`.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO_OWNER, launchChromium, startStack, type Stack } from '../../scripts/local';

const UI_TIMEOUT_MS = 20_000;
let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;

/** The names the node panel lists after typing `text` into its search. */
async function search(text: string): Promise<string[]> {
	const box = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]').first();
	if (!(await box.isVisible())) await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await box.waitFor({ timeout: UI_TIMEOUT_MS });
	await box.fill(text);
	// The list filters as one types; wait until it has settled on this text.
	await page.waitForTimeout(1_000);
	return (await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts()).map((name) => name.trim());
}

describe("n8n's node panel finds our nodes by their Chinese search aliases (n8n 2.41, Chromium)", () => {
	beforeAll(async () => {
		stack = await startStack({ major: 2, examples: false, payments: false });
		browser = await launchChromium({ install: true });
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		await page.goto(`${stack.n8n.url}/signin`);
		await page.fill('input[name=emailOrLdapLoginId]', DEMO_OWNER.email);
		await page.fill('input[name=password]', DEMO_OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: UI_TIMEOUT_MS });
		await page.goto(`${stack.n8n.url}/workflow/new`);
	}, 300_000);
	afterAll(async () => {
		await browser?.close();
		await stack?.stop();
	}, 60_000);

	it.each([
		['售货机', 'DingShang Vending'],
		['出货结果', 'DingShang Delivery Result'],
		['补出货', 'DingShang Unfinished Payments'],
		['微信支付', 'WeChat Pay'],
		['支付宝', 'Alipay'],
	])('typing %s lists %s', async (text, node) => {
		expect(await search(text)).toEqual(expect.arrayContaining([expect.stringContaining(node)]));
	}, 60_000);

	it('a word in none of our aliases lists none of our nodes', async () => {
		const names = await search('火锅');
		expect(names.filter((name) => /DingShang|WeChat Pay|Alipay/.test(name))).toEqual([]);
		// …while an English name still finds ours, in the same panel.
		expect(await search('DingShang')).toEqual(expect.arrayContaining([expect.stringContaining('DingShang Vending')]));
	}, 60_000);
});
