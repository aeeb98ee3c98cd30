import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';

import type { ICredentialType } from 'n8n-workflow';

/**
 * The Chinese merchant guide (docs/zh-CN/) covers what a merchant meets: every credential and
 * every one of its fields by the English label n8n shows, every example by file and workflow name.
 * Data-driven: credentials and examples are read from the repository, so a new or renamed one
 * fails here until the guide names it.
 */

const ROOT = resolve(__dirname, '../..');
const GUIDE_DIR = join(ROOT, 'docs/zh-CN');
const EXAMPLES_DIR = join(ROOT, 'examples');

const guideFiles = readdirSync(GUIDE_DIR)
	.filter((name) => name.endsWith('.md'))
	.sort();
const guideText = (file: string) => readFileSync(join(GUIDE_DIR, file), 'utf8');
const guide = guideFiles.map(guideText).join('\n');

/** Every credential class of the three packages: each `*.credentials.ts` in credentials/ and packages/<package>/credentials/. */
function credentialClasses(): ICredentialType[] {
	const folders = [join(ROOT, 'credentials'), ...readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p, 'credentials'))];
	const types: ICredentialType[] = [];
	for (const folder of folders.filter((f) => existsSync(f))) {
		for (const file of readdirSync(folder).filter((f) => f.endsWith('.credentials.ts'))) {
			const exports = require(join(folder, file)) as Record<string, new () => ICredentialType>;
			for (const Type of Object.values(exports)) if (typeof Type === 'function') types.push(new Type());
		}
	}
	return types;
}

const credentials = credentialClasses();
const examples = readdirSync(EXAMPLES_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort()
	.map((file) => ({ file, name: (JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as { name: string }).name }));

/**
 * Chinese characters ÷ (Chinese characters + English words), outside code, URLs and link targets.
 * Words, not letters: one English label ("Signing Key") is two words against a sentence of Chinese.
 */
function cjkRatio(markdown: string): number {
	const prose = markdown
		.replace(/```[\s\S]*?```/g, '')
		.replace(/`[^`\n]*`/g, '')
		.replace(/\]\([^)]*\)/g, ']')
		.replace(/https?:\/\/\S+/g, '');
	const cjk = (prose.match(/[\u3400-\u9fff]/g) ?? []).length;
	const words = (prose.match(/[A-Za-z]+/g) ?? []).length;
	return cjk + words === 0 ? 0 : cjk / (cjk + words);
}

/** Relative link targets of a markdown file (web, mail and in-page links left out), without their #anchor. */
function relativeLinks(markdown: string): string[] {
	const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
	return targets.filter((t) => !/^(https?:|mailto:|#)/.test(t)).map((t) => t.split('#')[0]);
}

describe('the Chinese merchant guide', () => {
	it('finds the guide, the four credentials and the nine examples it must cover', () => {
		expect(guideFiles).toContain('README.md');
		expect(credentials.map((c) => c.name).sort()).toEqual(expect.arrayContaining(['alipayApi', 'dingShangApi', 'dingShangN8nApi', 'weChatPayApi']));
		expect(examples.length).toBeGreaterThanOrEqual(9);
	});

	it.each(credentials.map((c) => [c.displayName, c] as const))('names the credential %s and each of its fields by its label', (_name, credential) => {
		const missing = [credential.displayName, ...credential.properties.filter((p) => p.type !== 'notice').map((p) => p.displayName)].filter(
			(label) => !guide.includes(label),
		);
		expect(missing).toEqual([]);
	});

	it.each(examples.map((e) => [e.file, e.name]))('names example %s and its workflow "%s"', (file, name) => {
		const missing = [`\`${file}\``, name].filter((text) => !guide.includes(text));
		expect(missing).toEqual([]);
	});

	it.each(guideFiles)('%s is mostly Chinese', (file) => {
		expect(cjkRatio(guideText(file))).toBeGreaterThan(0.75);
	});

	it('the ratio tells English prose from Chinese prose', () => {
		expect(cjkRatio('Open **Settings** and press Save.')).toBe(0);
		// Half English, half Chinese (a bilingual page) is not "mostly Chinese".
		expect(cjkRatio('Fill in the merchant key, not the App Secret. 填写商户密钥，不是 App Secret。')).toBeLessThan(0.75);
		expect(cjkRatio('在 **Signing Key** 字段填写商户密钥，它不是 App Secret，填错会报 4006。`code` https://example.com/a-b-c')).toBeGreaterThan(0.75);
	});

	it.each(guideFiles)('every relative link of %s leads to an existing file', (file) => {
		const broken = relativeLinks(guideText(file)).filter((target) => !existsSync(resolve(dirname(join(GUIDE_DIR, file)), target)));
		expect(broken).toEqual([]);
	});

	it('link checking sees relative links and skips web and in-page links', () => {
		expect(relativeLinks('[a](x.md#part) [b](https://a.b/c) [c](#top) [d](../../README.md)')).toEqual(['x.md', '../../README.md']);
		expect(relativeLinks(guide).length).toBeGreaterThanOrEqual(guideFiles.length);
	});
});
