import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodeType } from 'n8n-workflow';

/**
 * What a merchant reads in the editor: every field they set shows a one-line hint under it
 * (n8n shows `description` only on hover), and notices speak plainly — no protocol field names.
 */
const ROOT = join(__dirname, '..', '..');
const ENTRIES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;
const nodes = ENTRIES.map((entry) => {
	const exported = require(join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'))) as Record<string, new () => INodeType>;
	return new (Object.values(exported)[0])().description;
}).filter((node) => !node.hidden);

/** Every field with its path; collections' and fixed collections' inner fields included. */
function fields(properties: INodeProperties[], path = ''): Array<[string, INodeProperties]> {
	return properties.flatMap((p): Array<[string, INodeProperties]> => {
		const here: Array<[string, INodeProperties]> = [[`${path}${p.displayName}`, p]];
		const inner = (p.options ?? []) as Array<INodeProperties | { displayName: string; values: INodeProperties[] }>;
		if (p.type === 'collection') return [...here, ...fields(inner as INodeProperties[], `${path}${p.displayName} › `)];
		if (p.type === 'fixedCollection') return [...here, ...inner.flatMap((group) => fields((group as { values: INodeProperties[] }).values, `${path}${p.displayName} › `))];
		return here;
	});
}

const SELECTORS = new Set(['resource', 'operation']); // their options carry the descriptions
const JARGON = /notify_url|payment_attach|passback_params|out_trade_no|webhook registration/;

describe.each(nodes.map((node) => [node.displayName, node] as const))('%s', (_name, node) => {
	const all = fields(node.properties);

	it('gives every field a merchant sets a one-line hint', () => {
		const settable = all.filter(([, p]) => p.type !== 'notice' && p.type !== 'collection' && !SELECTORS.has(p.name));
		expect(settable.length).toBeGreaterThan(0);
		const missing = settable.filter(([, p]) => typeof p.hint !== 'string' || p.hint.trim() === '').map(([path]) => path);
		expect(missing).toEqual([]);
		for (const [path, p] of settable) {
			expect(`${path}: ${p.hint}`).not.toMatch(/\n/);
			expect([path, (p.hint as string).length <= 110]).toEqual([path, true]);
		}
	});

	it('says the unit of every number of seconds or minutes in the hint', () => {
		for (const [path, p] of all.filter(([, p]) => p.type === 'number' && /timeout|wait|window/i.test(p.displayName))) {
			expect(`${path}: ${p.hint}`).toMatch(/: (Seconds|Minutes)\b/);
		}
	});

	it('writes its notices and description in merchant words, the exact field names left to the README', () => {
		for (const [, p] of all.filter(([, p]) => p.type === 'notice')) expect(p.displayName).not.toMatch(JARGON);
		expect(node.description).not.toMatch(JARGON);
	});
});
