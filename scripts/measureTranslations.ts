/**
 * Measures whether real n8n 2.41's editor shows a community package's node translation
 * (docs/research/zh-CN-translations.md). Dev-only, by hand:
 *
 *   npx ts-node --transpile-only scripts/measureTranslations.ts
 *
 * Temp user folder → our three packages packed and installed as n8n installs them → two candidate
 * zh-CN files added to the *installed* DingShang package only (never the repository) → n8n with
 * N8N_DEFAULT_LOCALE=zh-CN → owner, one workflow with a DingShang Vending and a base No Op node →
 * headless Chromium: node panel search, node details view, what the editor fetched, what its i18n
 * store holds → screenshots into docs/research/translations/. Prints the findings as JSON.
 * CHROMIUM overrides /usr/bin/chromium.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

import { DEMO_OWNER, N8nClient, PACKAGE, freePort, randomToken } from './local';
import { n8nInstall, startN8n, type RunningN8n } from './local/n8n';
import { packAndInstall } from './local/pack';

// The page-side functions below run in Chromium; this project compiles without the DOM library.
declare const document: any;

const OUT = join(__dirname, '..', 'docs', 'research', 'translations');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const UI_TIMEOUT_MS = 20_000;
const LOCALE = 'zh-CN';
const NODE_TYPE = `${PACKAGE.name}.dingShangVending`;
const NODE_DIR = join('dist', 'nodes', 'DingShangVending');

/**
 * One translation per candidate file name, told apart by a tag in every string: 甲 for the node's
 * `description.name` (what NodeTypes.getNodeTranslationPath builds), 乙 for the full type name.
 * Both layouts n8n's i18n docs show: nested objects (resource) and flat dotted keys (operation).
 */
const translation = (tag: string) => ({
	header: { displayName: `鼎商售货机【${tag}】`, description: `控制鼎商售货机【${tag}】` },
	nodeView: {
		resource: { displayName: `资源【${tag}】`, options: { delivery: { displayName: `出货单【${tag}】` } } },
	},
	'nodeView.operation.displayName': `操作【${tag}】`,
	'nodeView.operation.options.put.displayName': `出货【${tag}】`,
});
const CANDIDATES = [
	{ tag: '甲', file: 'dingShangVending.json' },
	{ tag: '乙', file: `${NODE_TYPE}.json` },
];
const TAGS = /【(甲|乙|丙)】/g;

const WORKFLOW = {
	name: 'zh-CN translation probe',
	nodes: [
		{ id: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'DingShang Vending', type: NODE_TYPE, typeVersion: 1.2, position: [0, 0], parameters: { resource: 'delivery', operation: 'put' } },
		{ id: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'No Operation, do nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [300, 0], parameters: {} },
	],
	connections: {},
	settings: { executionOrder: 'v1' },
};

interface Fetched {
	method: string;
	url: string;
	status: number;
	bodyChars: number;
	entries: number;
	requestBody?: string;
	/** Our node's entries in the answer: the `name` they carry and their `translation`, if any. */
	ourNode: Array<{ name: string; translation?: unknown }>;
	/** Any entry of the answer with a `translation` at all. */
	withTranslation: string[];
}

/** Adds the candidate files beside the installed node file (`translations/<locale>/`), as the backend reads them. */
function addTranslations(packageDir: string): string[] {
	const dir = join(packageDir, NODE_DIR, 'translations', LOCALE);
	mkdirSync(dir, { recursive: true });
	for (const { tag, file } of CANDIDATES) writeFileSync(join(dir, file), `${JSON.stringify(translation(tag), null, '\t')}\n`);
	return readdirSync(dir).map((f) => join(NODE_DIR, 'translations', LOCALE, f));
}

function entriesOf(body: unknown): Array<Record<string, any>> {
	if (Array.isArray(body)) return body as Array<Record<string, any>>;
	const data = (body as { data?: unknown } | null)?.data;
	return Array.isArray(data) ? (data as Array<Record<string, any>>) : [];
}

/** Records the editor's node-type and translation requests (the answers n8n's code path sends translations in). */
function recordFetches(page: Page, into: Fetched[]): void {
	page.on('response', async (response) => {
		const url = new URL(response.url());
		if (!/\/rest\/node-types|\/types\/|\/rest\/node-translation-headers|\/rest\/credential-translation|\/rest\/community/.test(url.pathname)) return;
		let body: unknown = null;
		let text = '';
		try {
			text = await response.text();
			body = JSON.parse(text);
		} catch {
			/* empty or not JSON */
		}
		const entries = entriesOf(body);
		into.push({
			method: response.request().method(),
			url: url.pathname + url.search,
			status: response.status(),
			bodyChars: text.length,
			entries: entries.length,
			requestBody: response.request().postData() ?? undefined,
			ourNode: entries.filter((e) => String(e.name).includes('dingShangVending')).map((e) => ({ name: e.name, translation: e.translation })),
			withTranslation: entries.filter((e) => e.translation).map((e) => String(e.name)),
		});
	});
}

/** The tags (甲/乙/丙) of every translated string the page shows: text and form values. */
async function shownTags(page: Page): Promise<string[]> {
	const text = await page.evaluate(() => [document.body.innerText, ...Array.from(document.querySelectorAll('input') as ArrayLike<{ value: string }>).map((i) => i.value)].join('\n'));
	return [...new Set([...text.matchAll(TAGS)].map((m) => m[0]))];
}

/** What the editor's vue-i18n instance holds for the locale, and whether the keys the editor looks up exist. */
async function i18nStore(page: Page): Promise<unknown> {
	return await page.evaluate(
		({ locale, type }) => {
			// The app's vue-i18n instance (provided under a symbol key); its composer is `global`.
			const provides = (document.querySelector('#app') as any)?.__vue_app__?._context.provides ?? {};
			const i18n = Object.getOwnPropertySymbols(provides).map((s) => provides[s]).find((v) => v?.global?.mergeLocaleMessage)?.global;
			if (!i18n) return { error: 'no vue-i18n instance provided on the Vue app' };
			const nodes = i18n.getLocaleMessage(locale)?.['n8n-nodes-base']?.nodes ?? {};
			const short = type.replace('n8n-nodes-base.', '');
			const key = (path: string) => `n8n-nodes-base.nodes.${short}.nodeView.${path}`;
			return {
				locale: i18n.locale?.value ?? i18n.locale,
				htmlLang: document.documentElement.lang,
				storedNodeKeys: Object.keys(nodes),
				lookups: Object.fromEntries(['resource.displayName', 'resource.options.delivery.displayName', 'operation.displayName'].map((p) => [key(p), i18n.te(key(p))])),
			};
		},
		{ locale: LOCALE, type: NODE_TYPE },
	);
}

/** Control: the same translation merged where the editor's lookup path does reach (`nodes → package → node`). */
async function mergeReachable(page: Page): Promise<void> {
	await page.evaluate(
		({ locale, pkg, fileTranslation }) => {
			const provides = (document.querySelector('#app') as any).__vue_app__._context.provides;
			const i18n = Object.getOwnPropertySymbols(provides).map((s) => provides[s]).find((v) => v?.global?.mergeLocaleMessage).global;
			i18n.mergeLocaleMessage(locale, { 'n8n-nodes-base': { nodes: { [pkg]: { dingShangVending: fileTranslation } } } });
		},
		{ locale: LOCALE, pkg: PACKAGE.name, fileTranslation: JSON.parse(JSON.stringify(translation('丙'))) },
	);
}

/**
 * The editor's own nodeTypes store action `getNodesInformation` (it calls it only for a node type
 * it knows without `properties`; /types/nodes.json has them): POST /rest/node-types, then
 * addNodeTranslation under the key it derives from the answer's `name`. `false`: keep the store's types.
 */
async function editorFetchesTranslation(page: Page): Promise<string> {
	return await page.evaluate(async ({ type }) => {
		const pinia = (document.querySelector('#app') as any).__vue_app__.config.globalProperties.$pinia;
		const store = [...pinia._s.values()].find((s: any) => typeof s.getNodesInformation === 'function');
		if (!store) return 'no store with getNodesInformation';
		await store.getNodesInformation([{ name: type, version: 1.2 }], false);
		return `called ${store.$id}.getNodesInformation`;
	}, { type: NODE_TYPE });
}

async function openNode(page: Page, name: string): Promise<void> {
	await page.locator('[data-test-id="canvas-node"]', { hasText: name }).first().dblclick();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
	await page.waitForTimeout(1500);
}

async function closeNode(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	await page.locator('[data-test-id="ndv"]').first().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS }).catch(() => undefined);
	await page.waitForTimeout(500);
}

async function shoot(page: Page, file: string): Promise<string> {
	await page.screenshot({ path: join(OUT, file) });
	return `docs/research/translations/${file}`;
}

async function browse(editorUrl: string, workflowId: string): Promise<Record<string, unknown>> {
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
		const fetched: Fetched[] = [];
		recordFetches(page, fetched);
		await page.goto(`${editorUrl}/signin`);
		await page.fill('input[name=emailOrLdapLoginId]', DEMO_OWNER.email);
		await page.fill('input[name=password]', DEMO_OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: UI_TIMEOUT_MS });

		await page.goto(`${editorUrl}/workflow/${workflowId}`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
		await page.waitForTimeout(1500);
		const canvas = await shownTags(page);

		// The node panel's search: node name and description come from "headers" (node-translation-headers).
		await page.locator('[data-test-id="node-creator-plus-button"]').click();
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]').first();
		await search.waitFor({ timeout: UI_TIMEOUT_MS });
		await search.fill('DingShang');
		await page.waitForTimeout(1000);
		const nodePanel = await shownTags(page);
		const nodePanelShot = await shoot(page, 'node-panel.png');
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);

		await openNode(page, 'DingShang Vending');
		const ndv = await shownTags(page);
		const ndvLabels = await page.locator('[data-test-id="ndv"] [data-test-id="parameter-input-label"], [data-test-id="ndv"] label').allInnerTexts();
		const store = await i18nStore(page);
		await closeNode(page);

		const editorFetch = await editorFetchesTranslation(page);
		await page.waitForTimeout(500);
		await openNode(page, 'DingShang Vending');
		const ndvAfterEditorFetch = await shownTags(page);
		const ndvShot = await shoot(page, 'ndv.png');
		const storeAfterEditorFetch = await i18nStore(page);
		await closeNode(page);

		await openNode(page, 'No Operation, do nothing');
		const baseNode = await shownTags(page);
		await closeNode(page);

		await mergeReachable(page);
		await openNode(page, 'DingShang Vending');
		const control = await shownTags(page);
		const controlShot = await shoot(page, 'ndv-control-merged-in-page.png');
		const storeAfterControl = await i18nStore(page);

		return {
			fetched,
			editorFetch,
			shown: { canvas, nodePanel, ndv, ndvAfterEditorFetch, baseNode, controlAfterInPageMerge: control },
			ndvLabels: ndvLabels.map((l) => l.trim()).filter(Boolean).slice(0, 12),
			store,
			storeAfterEditorFetch,
			storeAfterControl,
			screenshots: [nodePanelShot, ndvShot, controlShot],
		};
	} finally {
		await browser.close();
	}
}

async function main(): Promise<void> {
	const userFolder = mkdtempSync(join(tmpdir(), 'n8n-translations-'));
	let n8n: RunningN8n | undefined;
	try {
		mkdirSync(OUT, { recursive: true });
		const dirs = await packAndInstall(userFolder, { build: false });
		const ours = dirs.find((d) => d.endsWith(join('node_modules', PACKAGE.name)));
		if (!ours) throw new Error(`${PACKAGE.name} was not installed`);
		const added = addTranslations(ours);

		const install = n8nInstall(2);
		const nodesBase = join(install.bin, '..', '..', '..', 'n8n-nodes-base', 'dist');
		const settings = { n8n: install, userFolder, port: await freePort(), runnersBrokerPort: await freePort(), encryptionKey: randomToken(), logLevel: 'info' as const, extraEnv: { N8N_DEFAULT_LOCALE: LOCALE } };
		n8n = await startN8n(settings);

		const client = new N8nClient(n8n.url);
		await client.signIn();
		const workflow = await client.rest('POST', '/workflows', WORKFLOW);
		// What the backend sends for our node and a base node, asked directly (the editor's POST /rest/node-types).
		const nodeInfos = [{ name: NODE_TYPE, version: 1.2 }, { name: 'n8n-nodes-base.noOp', version: 1 }];
		const direct = (await client.rest('POST', '/node-types', { nodeInfos })) as Array<Record<string, any>>;
		const headers = await client.get('/rest/node-translation-headers');
		// The editor's node types come from here (with `properties`, so it never asks POST /rest/node-types);
		// read directly because Playwright gets an empty body for the page's own fetch of it.
		const typesJson = JSON.parse((await client.get('/types/nodes.json')).body) as Array<Record<string, any>>;
		const typesEntries = typesJson.filter((t) => t.name === NODE_TYPE).map((t) => ({ name: t.name, version: t.version, properties: t.properties?.length, translation: t.translation ?? null }));

		const editor = await browse(n8n.url, String(workflow.id));
		const findings = {
			n8nVersion: install.version,
			locale: LOCALE,
			addedToInstalledPackage: added,
			nodesBaseShips: {
				headersFile: existsSync(join(nodesBase, 'nodes', 'headers.js')),
				nodeTranslationDirs: readdirSync(join(nodesBase, 'nodes'), { recursive: true }).filter((p) => String(p).endsWith('translations')).length,
			},
			backend: {
				postNodeTypes: direct.map((d) => ({ name: d.name, translation: d.translation ?? null })),
				nodeTranslationHeaders: { status: headers.status, body: headers.body.slice(0, 200) },
				typesNodesJson: { entries: typesJson.length, ourNode: typesEntries },
			},
			editor,
		};
		console.log(JSON.stringify(findings, null, 2));
	} finally {
		await n8n?.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error: Error) => {
	console.error(`measureTranslations failed: ${error.stack ?? error.message}`);
	process.exit(1);
});
