/**
 * Which unfinished executions were already finished and reported, kept in the trigger's static data
 * as one string, one line "<base-36 ms> <workflowId>/<executionId>" each. Only the main process
 * running this trigger writes it (n8n saves it with each emit), so no other writer can drop lines.
 */

export const handledKey = (workflowId: string, executionId: string) => `${workflowId}/${executionId}`;

export function readHandled(text: unknown, cutoffMs: number): Map<string, number> {
	const handled = new Map<string, number>();
	for (const line of typeof text === 'string' && text !== '' ? text.split('\n') : []) {
		const at = parseInt(line, 36);
		const key = line.slice(line.indexOf(' ') + 1);
		if (at >= cutoffMs && key) handled.set(key, at);
	}
	return handled;
}

export function writeHandled(handled: Map<string, number>, cutoffMs: number): string {
	return [...handled]
		.filter(([, at]) => at >= cutoffMs)
		.sort((a, b) => a[1] - b[1])
		.map(([key, at]) => `${at.toString(36)} ${key}`)
		.join('\n');
}
