/** The trigger's settings, checked before anything is read: each error names the field and what is wrong. */

export interface WatchSettings {
	workflowIds: string[];
	windowMinutes: number;
	checkEverySeconds: number;
	lookBackHours: number;
}

export class SettingError extends Error {}

function numberIn(field: string, value: unknown, min: number, max: number, unit: string): number {
	const n = typeof value === 'number' ? value : Number(String(value ?? '').trim() || NaN);
	if (!Number.isFinite(n) || n < min || n > max) {
		const got = value === '' || value === undefined || value === null ? 'nothing' : JSON.stringify(value);
		const floor = min > 0 && min < 1 ? 'more than 0' : `at least ${min}`;
		throw new SettingError(`Invalid "${field}": must be ${floor} and at most ${max} ${unit}, got ${got}`);
	}
	return n;
}

export function parseSettings(raw: { workflowIds: unknown; windowMinutes: unknown; checkEverySeconds: unknown; lookBackHours: unknown }): WatchSettings {
	const list = Array.isArray(raw.workflowIds) ? raw.workflowIds : String(raw.workflowIds ?? '').split(',');
	const workflowIds = [...new Set(list.map((id) => String(id).trim()).filter(Boolean))];
	if (workflowIds.length === 0) throw new SettingError('Invalid "Payment Workflow Names or IDs": choose at least one workflow whose payments must end dispensed or refunded');
	const bad = workflowIds.find((id) => !/^[A-Za-z0-9_-]{1,36}$/.test(id));
	if (bad !== undefined) throw new SettingError(`Invalid "Payment Workflow Names or IDs": "${bad}" is not a workflow ID`);
	return {
		workflowIds,
		windowMinutes: numberIn('Dispense Window (Minutes)', raw.windowMinutes, 0.1, 1440, 'minutes'),
		checkEverySeconds: numberIn('Check Every (Seconds)', raw.checkEverySeconds, 5, 300, 'seconds'),
		lookBackHours: numberIn('Look Back (Hours)', raw.lookBackHours, 1, 168, 'hours'),
	};
}
