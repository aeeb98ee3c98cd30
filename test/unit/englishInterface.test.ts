/**
 * n8n verifies a package only if its interface and documentation are English: every string of
 * every node and credential description, the codex, every error the nodes raise, and the READMEs
 * (but one line each: the link to the Chinese guide). Chinese stays in output data of its own
 * (`messageZh`, `reasonZh`, …) and in docs/zh-CN/.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ICredentialType, INodeType } from 'n8n-workflow';

import { ERROR_CODES, FAIL_REASONS, FLOOR_STATUS } from '../../nodes/shared/dingshang/protocol';
import { DingShangFailure, toNodeError } from '../../nodes/shared/dingshang/failures';
import { InputError } from '../../nodes/shared/common/input';
import { providerRefusal, unknownOutcome } from '../../packages/shared/errors';
import { WECHAT_PAY_WORDS } from '../../packages/n8n-nodes-wechatpay/nodes/shared/wechatpay/words';
import { ALIPAY_WORDS } from '../../packages/n8n-nodes-alipay/nodes/shared/alipay/words';
import { PACKAGES } from '../../scripts/local/paths';

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

interface Manifest {
	n8n: { nodes: string[]; credentials: string[] };
}

/** The TypeScript source behind a `dist/…js` entry of a package.json. */
const sourceOf = (dir: string, entry: string) => join(dir, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
const load = <T>(file: string): T => {
	const Class = Object.values(require(file) as Record<string, new () => T>)[0];
	return new Class();
};

/** Every string inside a value, with the path that leads to it. */
function strings(value: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
	if (typeof value === 'string') out.push([path, value]);
	else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
	else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
	return out;
}
const chinese = (found: Array<[string, string]>) => found.filter(([, text]) => CJK.test(text)).map(([path, text]) => `${path}: ${text}`);

const packages = PACKAGES.map((pkg) => ({ ...pkg, manifest: JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Manifest }));

describe('the interface n8n shows is English', () => {
	it('finds the walker able to fail', () => {
		expect(chinese(strings({ a: [{ hint: 'Dispensed 已出货' }] }, 'x'))).toEqual(['x.a[0].hint: Dispensed 已出货']);
	});

	for (const pkg of packages) {
		describe(pkg.name, () => {
			it('every node description string (names, options, hints, notices, placeholders, credentials)', () => {
				expect(pkg.manifest.n8n.nodes.length).toBeGreaterThan(0);
				for (const entry of pkg.manifest.n8n.nodes) {
					const node = load<INodeType>(sourceOf(pkg.dir, entry));
					expect(chinese(strings(node.description, node.description.name))).toEqual([]);
				}
			});

			it('every credential field', () => {
				for (const entry of pkg.manifest.n8n.credentials) {
					const credential = load<ICredentialType>(sourceOf(pkg.dir, entry));
					expect(chinese(strings({ ...credential }, credential.name))).toEqual([]);
				}
			});

			it("the codex, but its search aliases (n8n's node search matches them: test/e2e/nodeSearch)", () => {
				for (const entry of pkg.manifest.n8n.nodes) {
					const codex = JSON.parse(readFileSync(sourceOf(pkg.dir, entry).replace(/\.ts$/, '.json'), 'utf8')) as Record<string, unknown>;
					expect(chinese(strings({ ...codex, alias: [] }, entry))).toEqual([]);
				}
			});

			it('package.json', () => {
				expect(chinese(strings(pkg.manifest, 'package.json'))).toEqual([]);
			});

			it('the README, but one line: the link to the Chinese guide', () => {
				const lines = readFileSync(join(pkg.dir, 'README.md'), 'utf8').split('\n');
				const withChinese = lines.filter((line) => CJK.test(line));
				expect(withChinese.length).toBeLessThanOrEqual(1);
				for (const line of withChinese) expect(line).toMatch(/docs\/zh-CN\//);
			});
		});
	}
});

describe('errors are English; their Chinese goes to the output field messageZh', () => {
	const node = { getNode: () => ({ name: 'Vending', type: 'x', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' }) as never };

	it('every DingShang code, and a code-0 refusal known by its message', () => {
		for (const code of Object.keys(ERROR_CODES)) {
			const error = toNodeError(node, new DingShangFailure('platform', `DingShang refused (${code})`, { code: Number(code), platformMessage: 'x' }));
			expect(chinese([['message', error.message], ['description', String(error.description)]])).toEqual([]);
			expect(error.description).toContain(`code ${code}`);
		}
		const unpaid = toNodeError(node, new DingShangFailure('platform', 'refused', { platformMessage: '订单未支付' }));
		expect(unpaid.description).toMatch(/^DingShang code 6054: [\x20-\x7e]+$/);
	});

	it('bad input, a request never sent, an unknown outcome', () => {
		for (const error of [new InputError('Invalid "Trade ID"'), new DingShangFailure('notSent', 'x'), new DingShangFailure('unknown', 'x')]) {
			const nodeError = toNodeError(node, error);
			expect(chinese([['description', String(nodeError.description)]])).toEqual([]);
		}
	});

	it('the explanations of channel states and failed dispenses have an English side', () => {
		for (const table of [ERROR_CODES, FLOOR_STATUS, FAIL_REASONS]) for (const words of Object.values(table)) expect(CJK.test(words.en)).toBe(false);
	});

	it('every WeChat Pay / Alipay refusal, and an unknown refund outcome', () => {
		for (const words of [WECHAT_PAY_WORDS, ALIPAY_WORDS]) {
			expect(CJK.test(words.name.en)).toBe(false);
			for (const code of [...Object.keys(words.codes), 'NEW_CODE']) {
				const error = providerRefusal(node.getNode(), words, code, 'x');
				expect(chinese([['message', error.message], ['description', String(error.description)]])).toEqual([]);
			}
			for (const sent of [true, false]) expect(CJK.test(String(unknownOutcome(node.getNode(), words, 'no answer', sent).description))).toBe(false);
		}
	});
});

// PACKAGES' dirs must be the packages this file walks (a package added later is walked too).
it('walks the three packages', () => {
	expect(packages.map((p) => p.name).sort()).toEqual(['n8n-nodes-alipay', 'n8n-nodes-dingshang', 'n8n-nodes-wechatpay']);
	expect(packages.every((p) => dirname(join(p.dir, 'package.json')) === p.dir)).toBe(true);
});
