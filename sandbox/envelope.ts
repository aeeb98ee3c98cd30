/** The platform's answer envelope and the error type every handler throws. */

export interface Envelope {
	code: number;
	message: string;
	data: unknown;
}

export interface ApiAnswer {
	http: number;
	body: Envelope;
}

/** A coded platform error; handlers throw it and the server turns it into an envelope. */
export class ApiError extends Error {
	constructor(
		readonly code: number,
		message: string,
		readonly http = 200,
		readonly data: unknown = {},
	) {
		super(message);
	}
}

export const invalidParams = (what: string): ApiError => new ApiError(4003, `invalid params: ${what}`);

export function ok(data: unknown): ApiAnswer {
	return { http: 200, body: { code: 0, message: 'ok', data: protobufStyle(data) } };
}

export function fromError(error: ApiError): ApiAnswer {
	return { http: error.http, body: { code: error.code, message: error.message, data: error.data } };
}

/** The platform serialises with protobuf JSON: zero values, "", false and null are left out. */
export function protobufStyle(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(protobufStyle);
	if (!value || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value as object)) {
		if (item === undefined || item === null || item === '' || item === 0 || item === false) continue;
		out[key] = protobufStyle(item);
	}
	return out;
}
