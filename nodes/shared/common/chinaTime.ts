/** China time (UTC+8, written without a zone) as DingShang, WeChat Pay and Alipay all use it. */

/** "2024-04-26 18:45:58" → "2024-04-26T18:45:58+08:00". */
export function chinaTimeToIso(value: unknown): string | undefined {
	const match = typeof value === 'string' ? /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)$/.exec(value.trim()) : null;
	return match ? `${match[1]}T${match[2]}+08:00` : undefined;
}

/**
 * A date-time as "YYYY-MM-DD HH:mm:ss" in China time. A value with a zone (`Z`, `+01:00`) is
 * converted; one without (n8n's date picker) is taken as China time already. Undefined when it is
 * not a date-time.
 */
export function toChinaTime(value: unknown): string | undefined {
	const text = typeof value === 'string' ? value.trim() : value instanceof Date ? value.toISOString() : '';
	const local = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d)(:\d\d)?(\.\d+)?$/.exec(text);
	if (local) return `${local[1]} ${local[2]}${local[3] ?? ':00'}`;
	if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(text)) return undefined;
	const ms = Date.parse(text);
	if (Number.isNaN(ms)) return undefined;
	return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
