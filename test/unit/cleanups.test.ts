import { Cleanups, cleanedUpOnFailure } from '../../scripts/local/processes';

describe('Cleanups (how the local stack stops what it started)', () => {
	it('runs last-in first-out, attempts every step even after failures, then throws all the errors together', async () => {
		const ran: string[] = [];
		const cleanups = new Cleanups();
		cleanups.add(() => void ran.push('sandbox'));
		cleanups.add(async () => {
			ran.push('n8n');
			throw new Error('n8n would not stop');
		});
		cleanups.add(() => void ran.push('worker'));
		cleanups.add(() => {
			ran.push('webhook');
			throw new Error('webhook gone');
		});
		const error = await cleanups.run().catch((e: unknown) => e as AggregateError);
		expect(ran).toEqual(['webhook', 'worker', 'n8n', 'sandbox']);
		expect(error).toBeInstanceOf(AggregateError);
		expect((error as AggregateError).errors.map(String)).toEqual(['Error: webhook gone', 'Error: n8n would not stop']);
		await expect(cleanups.run()).resolves.toBeUndefined(); // each step runs once
		expect(ran).toHaveLength(4);
	});

	it('cleanedUpOnFailure: on a throw runs what was registered and passes the first error on; on success runs nothing', async () => {
		const ran: string[] = [];
		await expect(
			cleanedUpOnFailure(async (cleanups) => {
				cleanups.add(() => void ran.push('sandbox'));
				throw new Error('n8n did not start');
			}),
		).rejects.toThrow('n8n did not start');
		expect(ran).toEqual(['sandbox']);
		const kept = await cleanedUpOnFailure(async (cleanups) => {
			cleanups.add(() => void ran.push('kept'));
			return cleanups;
		});
		expect(ran).toEqual(['sandbox']);
		await kept.run();
		expect(ran).toEqual(['sandbox', 'kept']);
	});
});
