/** What a failed HTTP call says about whether the request left: shared by every service's transport. */

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

/** Whether a request that failed with this network code certainly never reached the server. */
export const neverSent = (code: string | undefined): boolean => code !== undefined && NOT_SENT_CODES.has(code);

/** Finds the low-level error code (ECONNRESET, ECONNABORTED…) under n8n's wrappers. */
export function networkCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	const match = /\b(E[A-Z]{4,})\b/.exec(message);
	if (match) return match[1];
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	return undefined;
}
