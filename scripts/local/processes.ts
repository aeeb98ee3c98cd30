/**
 * Child processes that never outlive us. Every child runs under a small guard in a process group
 * of its own, so that
 * - stopping it signals the whole group (n8n may start children), and
 * - it dies with us even when we are killed outright (Ctrl-C in a jest worker, SIGKILL): the guard
 *   holds a pipe from us and kills its group when that pipe closes.
 * Every wait is bounded.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { REPO_ROOT } from './paths';

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
export const randomToken = () => randomBytes(24).toString('base64url');
export const tail = (text: string, lines = 30) => text.trim().split('\n').slice(-lines).join('\n');

/** A port that was free a moment ago on 127.0.0.1 (0 → any). */
export async function freePort(port = 0): Promise<number> {
	return await new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(port, '127.0.0.1', () => {
			const { port: chosen } = server.address() as { port: number };
			server.close(() => done(chosen));
		});
	});
}

/** `count` distinct ports that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < count) ports.add(await freePort());
	return [...ports];
}

/** Waits for all (so that nothing is still starting when we clean up), then throws the first failure. */
export async function allStarted<T>(starts: Array<Promise<T>>): Promise<T[]> {
	const settled = await Promise.allSettled(starts);
	const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failed) throw failed.reason;
	return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** The guard: ignores SIGINT/SIGTERM itself, kills its group when our pipe closes, exits with the command's code. */
const GUARD = `
const { spawn } = require('child_process');
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const killGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch {} };
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdin.on('end', killGroup).on('error', killGroup).resume();
child.on('error', (error) => { console.error(error.message); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
`;

interface SpawnOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
}

function spawnGuarded(command: string, args: string[], opts: SpawnOptions): ChildProcessByStdio<Writable, Readable, Readable> {
	return spawn(process.execPath, ['-e', GUARD, command, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Signals a detached child's process group (it leads its own). `afterExit`: also when the leader
 * has exited, to reach anything it left behind in its group (no-op when the group is empty).
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals, afterExit = false): void {
	const exited = child.exitCode !== null || child.signalCode !== null;
	if (child.pid === undefined || (exited && !afterExit)) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* no such group: nothing left */
	}
}

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/**
 * Runs a command to completion (guarded); kills its group after `timeoutMs`.
 * `echo`: also shows its output as it comes (on stderr), for long installs.
 */
export async function run(command: string, args: string[], opts: SpawnOptions & { timeoutMs: number; echo?: boolean }): Promise<RunResult> {
	const child = spawnGuarded(command, args, opts);
	let stdout = '';
	let stderr = '';
	const echo = (chunk: Buffer) => opts.echo && process.stderr.write(chunk);
	child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString('utf8')), echo(chunk)));
	child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString('utf8')), echo(chunk)));
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child, 'SIGKILL');
	}, opts.timeoutMs);
	try {
		const code = await new Promise<number | null>((done, fail) => {
			child.once('error', fail);
			child.once('close', (exitCode) => done(exitCode));
		});
		if (timedOut) stderr += `\n[${command} killed after ${opts.timeoutMs / 1000} s]`;
		return { code, stdout, stderr };
	} finally {
		clearTimeout(timer);
		child.stdin.end();
		killGroup(child, 'SIGKILL', true); // leftovers of the group, if any
	}
}

/** A long-running child started by startProcess. */
export interface RunningProcess {
	pid: number;
	/** Last lines of its output (for error messages). */
	recentOutput(): string;
	/** Resolves when the process has exited. */
	exited: Promise<number | null>;
	/** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it is gone. */
	stop(graceMs?: number): Promise<void>;
	/** `signal` (default SIGKILL: a crash) to its whole process group; resolves once it is gone. */
	kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `command` in its own process group and resolves once a line of its output matches
 * `ready`; on exit or time-out first, stops it and throws with the last lines of its output.
 */
export async function startProcess(
	name: string,
	command: string,
	args: string[],
	opts: SpawnOptions & { ready: RegExp; onLine?: (line: string) => void; timeoutMs: number },
): Promise<RunningProcess> {
	const child = spawnGuarded(command, args, opts);
	const recent: string[] = [];
	let ready: () => void = () => undefined;
	const readyPromise = new Promise<void>((done) => (ready = done));
	const onData = (chunk: Buffer) => {
		for (const line of chunk.toString('utf8').split(/\r?\n/)) {
			if (line === '') continue;
			recent.push(line);
			if (recent.length > 60) recent.shift();
			opts.onLine?.(line);
			if (opts.ready.test(line)) ready();
		}
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
	const gone = async () => {
		await exited;
		child.stdin.end();
		killGroup(child, 'SIGKILL', true); // anything it started and left behind
	};
	const proc: RunningProcess = {
		pid: child.pid as number,
		recentOutput: () => recent.join('\n'),
		exited,
		async stop(graceMs = 15_000) {
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
			await gone();
			clearTimeout(timer);
		},
		async kill(signal = 'SIGKILL') {
			killGroup(child, signal);
			await gone();
		},
	};
	let timer: NodeJS.Timeout | undefined;
	const outcome = await Promise.race([
		readyPromise.then(() => 'ready' as const),
		exited.then((code) => `exited with code ${code}` as const),
		new Promise<string>((done) => (timer = setTimeout(() => done(`not ready after ${opts.timeoutMs / 1000} s`), opts.timeoutMs))),
	]);
	clearTimeout(timer);
	if (outcome !== 'ready') {
		await proc.stop(2_000);
		throw new Error(`${name} ${outcome}:\n${proc.recentOutput()}`);
	}
	return proc;
}

/** Cleanups run last-in first-out; every one is attempted, the errors are thrown together. */
export class Cleanups {
	private readonly steps: Array<() => Promise<void> | void> = [];
	add(step: () => Promise<void> | void): void {
		this.steps.push(step);
	}
	async run(): Promise<void> {
		const errors: unknown[] = [];
		for (const step of this.steps.splice(0).reverse()) await Promise.resolve().then(step).catch((error: unknown) => void errors.push(error));
		if (errors.length > 0) throw new AggregateError(errors, `stopping: ${errors.map(String).join('; ')}`);
	}
}

/** Runs `what` with a fresh Cleanups; if it throws, runs them before passing the error on. */
export async function cleanedUpOnFailure<T>(what: (cleanups: Cleanups) => Promise<T>): Promise<T> {
	const cleanups = new Cleanups();
	try {
		return await what(cleanups);
	} catch (error) {
		await cleanups.run().catch(() => undefined);
		throw error;
	}
}
