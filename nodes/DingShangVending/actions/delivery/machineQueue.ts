/**
 * One dispense command in flight per machine. Within an execution items are already grouped by
 * machine; this process-wide queue also keeps two executions (e.g. two payments arriving at
 * once) from commanding the same machine at the same time. Keyed by base URL + machine number.
 */
const tails = new Map<string, Promise<void>>();

export async function withMachine<T>(key: string, work: () => Promise<T>): Promise<T> {
	const previous = tails.get(key) ?? Promise.resolve();
	let release: () => void = () => undefined;
	const mine = new Promise<void>((resolve) => (release = resolve));
	const tail = previous.then(() => mine);
	tails.set(key, tail);
	await previous;
	try {
		return await work();
	} finally {
		release();
		if (tails.get(key) === tail) tails.delete(key);
	}
}
