/**
 * Side-effect module: import it BEFORE anything that loads n8n-core (every file of this folder
 * does, first). n8n-core reads its instance settings (N8N_USER_FOLDER) when first used; point it
 * at a throw-away folder so tests never touch ~/.n8n.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
}
// Keep n8n's logger quiet unless a test run asks otherwise.
process.env.N8N_LOG_LEVEL ??= 'error';
// (The ESM-only `p-retry` that n8n-core's LangChain import needs is mapped to ./pRetryStub.ts in jest.config.js.)
// No telemetry / version checks from anything that might look at these.
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
