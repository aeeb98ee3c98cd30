/**
 * Side-effect module: import it BEFORE anything that loads n8n-core.
 * n8n-core reads its instance settings (N8N_USER_FOLDER) when first used; point it at a
 * throw-away folder so tests never touch ~/.n8n.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
}
// Keep n8n's logger quiet unless a test run asks otherwise.
process.env.N8N_LOG_LEVEL ??= 'error';
// Under jest only: @langchain/core (loaded by n8n-core for AI-tool support we never use) requires
// the ESM-only `p-retry`, which Node loads natively (require(esm)) but jest's module system cannot.
// Replace it with a stub; it is only reached by LangChain retries.
if (typeof jest !== 'undefined') {
	jest.mock('p-retry', () => ({
		__esModule: true,
		default: async <T>(fn: (attempt: number) => Promise<T>) => await fn(1),
		AbortError: class AbortError extends Error {},
	}));
}
// No telemetry / version checks from anything that might look at these.
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
