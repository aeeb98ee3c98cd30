import type { IExecuteFunctions, IGetNodeParameterOptions, INodeParameters } from 'n8n-workflow';

/**
 * Per-item parameter reads without n8n's expression engine where its answer cannot differ.
 * n8n 2.x evaluates every expression in an isolate (`npm run bench`, scenario 1: about a third of
 * Get Order's time here); the two forms merchants use most are answered directly:
 *  - a value that is not an expression: the same for every item, read through n8n once;
 *  - `={{ $json.a }}`, `={{ $json.a.b }}`, `={{ $json["a b"] }}`: the input item's field, taken
 *    when it is a string, number or boolean (anything else goes to n8n, with n8n's own errors).
 * Everything else (other expressions, collections, resource locators that extract from URLs)
 * goes through `getNodeParameter` unchanged.
 */

const JSON_FIELD_EXPRESSION = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[(?:"[^"\\]*"|'[^'\\]*')\])+)\s*\}\}$/;
const PATH_SEGMENT = /\.([A-Za-z_$][\w$]*)|\["([^"\\]*)"\]|\['([^'\\]*)'\]/g;

/** The field path of a plain `$json` read (`['a', 'b']` for `={{ $json.a.b }}`), else undefined. */
export function jsonFieldPath(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const match = JSON_FIELD_EXPRESSION.exec(value);
	if (!match) return undefined;
	return [...match[1].matchAll(PATH_SEGMENT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Resource-locator modes whose value n8n returns as it is (no `extractValue` rule). */
const PLAIN_LOCATOR_MODES = new Set(['list', 'id']);

export type ParameterReader = (name: string, itemIndex: number, fallback?: unknown, options?: IGetNodeParameterOptions) => unknown;

/** A `getNodeParameter` for `runItems`' parse step; same answers, fewer trips through the engine. */
export function itemParameters(ctx: IExecuteFunctions): ParameterReader {
	const parameters: INodeParameters = ctx.getNode().parameters;
	const items = ctx.getInputData();
	const once = new Map<string, unknown>();
	const viaN8n: ParameterReader = (name, i, fallback, options) => ctx.getNodeParameter(name, i, fallback as never, options);

	return (name, i, fallback, options) => {
		const raw = parameters[name];
		let value: unknown = raw;
		if (raw && typeof raw === 'object' && !Array.isArray(raw) && (raw as { __rl?: boolean }).__rl) {
			const locator = raw as { mode?: string; value?: unknown };
			if (!options?.extractValue || !PLAIN_LOCATOR_MODES.has(locator.mode ?? '')) return viaN8n(name, i, fallback, options);
			value = locator.value;
		}
		const path = jsonFieldPath(value);
		if (path) {
			let field: unknown = items[i]?.json;
			for (const key of path) field = field !== null && typeof field === 'object' ? (field as Record<string, unknown>)[key] : undefined;
			return isScalar(field) ? field : viaN8n(name, i, fallback, options);
		}
		if (!isScalar(value) || String(value).startsWith('=')) return viaN8n(name, i, fallback, options);
		const key = `${name}\u0000${options?.extractValue ? 1 : 0}`;
		if (!once.has(key)) once.set(key, viaN8n(name, i, fallback, options));
		return once.get(key);
	};
}
