import axios from 'axios';
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import path from 'path';
import { API_PREFIX } from '../../nodes/shared/dingshang/protocol';

const ROOT = path.resolve(__dirname, '../..');
const TS_NODE = path.join(ROOT, 'node_modules/.bin/ts-node');

function run(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
	return spawn(TS_NODE, ['--transpile-only', 'sandbox/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
	return new Promise((resolve, reject) => {
		let out = '';
		const onData = (chunk: Buffer): void => {
			out += chunk.toString('utf8');
			const end = out.indexOf('\n');
			if (end >= 0) {
				child.stdout.off('data', onData);
				resolve(out.slice(0, end));
			}
		};
		child.stdout.on('data', onData);
		child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
	});
}

const exitCode = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
	new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

it('prints the JSON first line, serves the API, and exits 0 on SIGTERM', async () => {
	const child = run(['--port', '0', '--time-scale', '0.5'], { SANDBOX_APP_ID: 'dsfedcba9876543210' });
	try {
		const info = JSON.parse(await firstLine(child));
		expect(Object.keys(info)).toEqual(['baseUrl', 'appId', 'appSecret', 'signKey']);
		expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(info.appId).toBe('dsfedcba9876543210');
		expect(info.appSecret).toMatch(/^[0-9a-f]{40}$/);
		expect(info.signKey).toBe('sandbox-sign-key');
		const pong = await axios.post(`${info.baseUrl}${API_PREFIX}/ping`, undefined, { headers: { Appid: info.appId, AppSecret: info.appSecret } });
		expect(pong.data).toEqual({ code: 0, message: 'ok', data: 'pong' });
		const clock = await axios.get(`${info.baseUrl}/__sandbox/clock`);
		expect(clock.data.time_scale).toBe(0.5);
		child.kill('SIGTERM');
		expect(await exitCode(child)).toBe(0);
	} finally {
		if (child.exitCode === null) child.kill('SIGKILL');
	}
});

it('refuses a bad option with exit 1 and a message on stderr', async () => {
	const child = run(['--time-scale', 'fast']);
	let err = '';
	child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
	expect(await exitCode(child)).toBe(1);
	expect(err).toContain('--time-scale');
});
