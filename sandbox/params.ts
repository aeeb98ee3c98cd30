import { MACHINE_NO_PATTERN, TRADE_ID_PATTERN } from '../nodes/shared/dingshang/protocol';
import { isEmptyValue } from '../nodes/shared/dingshang/signing';
import { ApiError, invalidParams } from './envelope';

/**
 * Readers for payload and body fields, shared by every endpoint. The docs show values as strings,
 * but their own examples and the vendor's JS client send some as JSON numbers (`status: 2`,
 * `page: 1`): every reader takes a number or its decimal string alike.
 */

/** A string or a finite JSON number as text (trimmed); anything else is ''. */
export function fieldText(value: unknown): string {
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
	return typeof value === 'string' ? value.trim() : '';
}

/** 8 digits, or more for the platform's special merchants (the docs' examples use 14 and 16). */
export function readMachineNo(value: unknown): string {
	if (isEmptyValue(value)) throw invalidParams('machine_no is required');
	const text = fieldText(value);
	if (!MACHINE_NO_PATTERN.test(text)) throw invalidParams('machine_no must be a string of 8 or more digits');
	return text;
}

export function positiveInt(value: unknown, name: string): number {
	if (isEmptyValue(value)) throw invalidParams(`${name} is required`);
	const text = fieldText(value);
	if (!/^[1-9]\d{0,14}$/.test(text)) throw invalidParams(`${name} must be a positive integer`);
	return Number(text);
}

/** An optional integer in [min, max]; `fallback` when absent, 4003 otherwise. */
export function intInRange(value: unknown, name: string, min: number, max: number, fallback: number): number {
	if (isEmptyValue(value)) return fallback;
	const text = fieldText(value);
	const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
	if (!(n >= min && n <= max)) throw invalidParams(`${name} must be an integer from ${min} to ${max}`);
	return n;
}

/**
 * `trade_id`: 6041 when empty (current table), 4003 when not 1–32 visible ASCII characters. The docs
 * only *prefer* 20–32 digits; the vendor's own mini-program sends `Date.now()` (13 digits).
 */
export function readTradeId(value: unknown, emptyCode = 6041): string {
	if (isEmptyValue(value)) throw new ApiError(emptyCode, emptyCode === 6041 ? 'trade id empty' : 'invalid params: trade_id is required');
	const text = typeof value === 'string' ? value : fieldText(value); // not trimmed: a space is not allowed
	if (!TRADE_ID_PATTERN.test(text)) throw invalidParams('trade_id must be 1–32 visible ASCII characters');
	return text;
}

/** `"0"` / `"1"` (or 0 / 1); `fallback` when absent. */
export function readFlag(value: unknown, name: string, fallback: boolean): boolean {
	if (isEmptyValue(value)) return fallback;
	const text = fieldText(value);
	if (text !== '0' && text !== '1') throw invalidParams(`${name} must be "0" or "1"`);
	return text === '1';
}

/** An optional text field (cabinet_name, addr, channel_name…): its text, or undefined when absent. */
export function optionalText(value: unknown): string | undefined {
	return isEmptyValue(value) ? undefined : fieldText(value);
}

/** Optional notify_url: an http(s) URL or nothing (then no push). */
export function readNotifyUrl(value: unknown): string | undefined {
	if (isEmptyValue(value)) return undefined;
	if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/i.test(value)) throw invalidParams('notify_url must be an http(s) URL');
	return value;
}

export function requireMethod(value: unknown, allowed: string[]): string {
	if (typeof value !== 'string' || !allowed.includes(value)) {
		throw new ApiError(6021, `method invalid: expected ${allowed.join(' or ')}`);
	}
	return value;
}
