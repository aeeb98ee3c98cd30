/** What a WeChat Pay sandbox route answers (signed by the server), and a refusal in WeChat's shape. */
export interface WeChatAnswer {
	status: number;
	body: Record<string, unknown>;
	/** For the log line. */
	code: string;
	/** 204: no body (still signed, over the empty text). */
	empty?: boolean;
	/** A bill file: sent as bytes, unsigned. */
	file?: Buffer;
}

export const refusal = (status: number, code: string, message: string): WeChatAnswer => ({ status, body: { code, message }, code });
