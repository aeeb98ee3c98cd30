/**
 * Stand-in for the ESM-only `p-retry` under jest (mapped in jest.config.js). n8n-core loads
 * @langchain/core for AI-tool support we never use, which requires p-retry; Node can load it
 * natively but jest's module system cannot. Only LangChain retries would reach this.
 */
export default async function pRetry<T>(fn: (attempt: number) => Promise<T>): Promise<T> {
	return await fn(1);
}
export class AbortError extends Error {}
