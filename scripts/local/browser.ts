/** Headless Debian chromium through playwright-core, for the browser tests and `npm run screenshots`. */
import type { Browser } from 'playwright-core';
import { chromiumPath, ensureChromium } from './services';

// Without the background-networking flags Chromium keeps dialling Google on this closed network.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches chromium (installed first when missing and `install` is set); close the browser when done. */
export async function launchChromium(opts: { install?: boolean } = {}): Promise<Browser> {
	const executablePath = opts.install ? await ensureChromium() : chromiumPath();
	// Loaded here, not at the top: everything that imports scripts/local would load playwright otherwise.
	const { chromium } = await import('playwright-core');
	return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
