import { NodeOperationError, type INode } from 'n8n-workflow';

/**
 * Bad input, found before any request. The message names the field as the merchant sees it in the
 * editor, and the bad value, so a wrong expression is easy to spot.
 */
export class InputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InputError';
	}
}

export const NOTHING_SENT = 'Fix the field named above; no request was sent.';
/** The same in Chinese, for the `messageZh` field of an error item (output data, not interface). */
export const NOTHING_SENT_ZH = '请修正上面指出的字段；未发送任何请求。';

function show(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === '') return 'an empty value';
	const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function invalid(field: string, value: unknown, rule: string): InputError {
	return new InputError(`Invalid "${field}": ${rule}, got ${show(value)}`);
}

export function asText(value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' ? value.trim() : '';
}

/** Bad input or credential as n8n shows it: nothing was sent. */
export function inputNodeError(node: INode, message: string, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, message, { description: NOTHING_SENT, itemIndex });
}
