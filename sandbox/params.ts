import { isEmptyValue } from '../nodes/shared/signing';
import { ApiError, invalidParams } from './envelope';

/** Readers for payload and body fields, shared by every endpoint (values arrive as strings). */

export function readMachineNo(value: unknown): string {
	if (isEmptyValue(value)) throw invalidParams('machine_no is required');
	const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
	if (!/^\d{8}$/.test(text)) throw invalidParams('machine_no must be an 8-digit string');
	return text;
}

export function positiveInt(value: unknown, name: string): number {
	if (isEmptyValue(value)) throw invalidParams(`${name} is required`);
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (!/^[1-9]\d{0,14}$/.test(text)) throw invalidParams(`${name} must be a positive integer`);
	return Number(text);
}

/** An optional integer in [min, max]; `fallback` when absent, 4003 otherwise. */
export function intInRange(value: unknown, name: string, min: number, max: number, fallback: number): number {
	if (isEmptyValue(value)) return fallback;
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
	if (!(n >= min && n <= max)) throw invalidParams(`${name} must be an integer from ${min} to ${max}`);
	return n;
}

/** `trade_id`: 6041 when empty (current table), 4003 when not 20–32 characters. */
export function readTradeId(value: unknown, emptyCode = 6041): string {
	if (isEmptyValue(value)) throw new ApiError(emptyCode, emptyCode === 6041 ? 'trade id empty' : 'invalid params: trade_id is required');
	if (typeof value !== 'string' || value.length < 20 || value.length > 32) {
		throw invalidParams('trade_id must be a string of 20–32 characters');
	}
	return value;
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
