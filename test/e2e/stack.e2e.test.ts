/**
 * The local stack's promise (scripts/local, startStack): `stop()` ends everything it started, and
 * a failure while starting ends what had started before the error reaches the caller. Real n8n
 * 2.x; what is checked is what the machine says afterwards: the ports answer nothing, no child
 * process of this test is left, the temp user folder is gone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, freePorts, startStack } from '../../scripts/local';

/** Live child processes of this jest worker (the process guards are its direct children). */
function children(): number[] {
	try {
		return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
	} catch {
		return []; // pgrep exits 1 when there are none
	}
}

const isFree = async (port: number) => await freePort(port).then(() => true, () => false);

describe('startStack / stop (n8n 2.x)', () => {
	it('stop() ends n8n and both sandboxes and removes the temp user folder', async () => {
		const [n8n, sandbox, payments] = await freePorts(3);
		const stack = await startStack({ ports: { n8n, sandbox, payments }, examples: false });
		expect((await fetch(`${stack.n8n.url}/healthz`)).status).toBe(200);
		expect(children().length).toBeGreaterThan(0);
		expect(existsSync(stack.userFolder)).toBe(true);

		await stack.stop();
		for (const port of [n8n, sandbox, payments]) expect(await isFree(port)).toBe(true);
		expect(children()).toEqual([]);
		expect(existsSync(stack.userFolder)).toBe(false);
	}, 180_000);

	it('a failure while starting (a workflow n8n refuses to import) stops the sandboxes it had started, then throws', async () => {
		const [n8n, sandbox, payments] = await freePorts(3);
		const broken = { id: 'x'.repeat(40), name: 'id too long for n8n', nodes: 'not a list', connections: {} };
		await expect(startStack({ ports: { n8n, sandbox, payments }, examples: false, workflows: [broken] })).rejects.toThrow(/import:workflow failed/);
		for (const port of [n8n, sandbox, payments]) expect(await isFree(port)).toBe(true);
		expect(children()).toEqual([]);
	}, 180_000);
});
