import { readSignStyle, startSandbox, type SandboxOptions } from './index';

/** `npm run sandbox -- [--port N] [--host H] [--time-scale X] [--max-skew S] [--sign-style either|plain|go] [--quiet]` */

const USAGE = 'usage: sandbox [--port N] [--host 127.0.0.1] [--time-scale X] [--max-skew S] [--sign-style either|plain|go] [--quiet]';

function parseArgs(argv: string[]): SandboxOptions & { quiet?: boolean } {
	const opts: SandboxOptions & { quiet?: boolean } = {};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		if (flag === '--help' || flag === '-h') {
			process.stdout.write(`${USAGE}\n`);
			process.exit(0);
		}
		if (flag === '--quiet') {
			opts.quiet = true; // no line per request (benchmarks); the first JSON line still comes
			continue;
		}
		const value = inline ?? argv[++i];
		if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
		const number = Number(value);
		switch (flag) {
			case '--port':
				if (!Number.isInteger(number) || number < 0 || number > 65535) throw new Error(`--port: invalid port "${value}"`);
				opts.port = number;
				break;
			case '--host':
				opts.host = value;
				break;
			case '--time-scale':
				if (!(number > 0)) throw new Error(`--time-scale must be a positive number, got "${value}"`);
				opts.timeScale = number;
				break;
			case '--max-skew':
				if (!(number >= 0)) throw new Error(`--max-skew must be a number of seconds ≥ 0, got "${value}"`);
				opts.maxSkewSeconds = number;
				break;
			case '--sign-style':
				opts.signStyle = readSignStyle(value);
				break;
			default:
				throw new Error(`unknown option ${flag}\n${USAGE}`);
		}
	}
	return opts;
}

async function main(): Promise<void> {
	const { quiet, ...opts } = parseArgs(process.argv.slice(2));
	const log = (line: string): void => void process.stdout.write(`[sandbox ${new Date().toISOString()}] ${line}\n`);
	const sandbox = await startSandbox({ ...opts, log: quiet ? false : log });
	// First stdout line: machine-readable, so scripts can read the URL and demo credentials.
	process.stdout.write(
		`${JSON.stringify({ baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret, signKey: sandbox.signKey })}\n`,
	);
	log(`DingShang sandbox on ${sandbox.baseUrl} (time scale ${opts.timeScale ?? 1}, sign style ${sandbox.signStyle}); page at ${sandbox.baseUrl}/, state at ${sandbox.baseUrl}/__sandbox/state`);
	const stop = (signal: string): void => {
		log(`${signal}: stopping`);
		sandbox.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	process.stderr.write(`sandbox: ${(error as Error)?.message ?? error}\n`);
	process.exit(1);
});
