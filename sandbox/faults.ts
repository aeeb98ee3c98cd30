import type { ServerResponse } from 'http';

/** Faults queued through POST /__sandbox/faults; each is used up by the next matching event. */

export type RequestFaultKind = 'http500' | 'html' | 'malformedJson' | 'reset' | 'delay';
export type DeviceFaultKind = 'deliveryFail' | 'deviceSilent';
export type CallbackFaultKind = 'callbackDrop' | 'callbackDuplicate' | 'callbackDelay';

export interface RequestFault {
	id: number;
	kind: RequestFaultKind;
	count: number;
	when: 'before' | 'after';
	ms?: number;
	status?: number;
	match?: { method?: string; path?: string };
}

export interface DeviceFault {
	id: number;
	kind: DeviceFaultKind;
	count: number;
	machineNo: string;
	floorStatus?: string;
	errorMsg?: string;
}

export interface CallbackFault {
	id: number;
	kind: CallbackFaultKind;
	count: number;
	ms?: number;
}

export type Fault = RequestFault | DeviceFault | CallbackFault;

const REQUEST_KINDS = ['http500', 'html', 'malformedJson', 'reset', 'delay'];
const DEVICE_KINDS = ['deliveryFail', 'deviceSilent'];
const CALLBACK_KINDS = ['callbackDrop', 'callbackDuplicate', 'callbackDelay'];

function nonNegativeInt(value: unknown, name: string, fallback: number): number {
	if (value === undefined) return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
		throw new Error(`${name} must be a non-negative integer`);
	}
	return value;
}

/** Validates one fault description; throws an Error whose message says what is wrong. */
export function parseFault(raw: unknown, id: number): Fault {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('a fault must be an object');
	const f = raw as Record<string, unknown>;
	const kind = String(f.kind);
	const count = nonNegativeInt(f.count, 'count', 1);
	if (count < 1) throw new Error('count must be at least 1');
	if (DEVICE_KINDS.includes(kind)) {
		if (typeof f.machineNo !== 'string' || !/^\d{8}$/.test(f.machineNo)) {
			throw new Error(`${kind} needs machineNo (8 digits)`);
		}
		const fault: DeviceFault = { id, kind: kind as DeviceFaultKind, count, machineNo: f.machineNo };
		if (kind === 'deliveryFail') {
			fault.floorStatus = f.floorStatus === undefined ? '2' : String(f.floorStatus);
			fault.errorMsg = f.errorMsg === undefined ? 'Goods are Stuck' : String(f.errorMsg);
		}
		return fault;
	}
	if (CALLBACK_KINDS.includes(kind)) {
		const fault: CallbackFault = { id, kind: kind as CallbackFaultKind, count };
		if (kind === 'callbackDelay') fault.ms = nonNegativeInt(f.ms, 'ms', 1000);
		return fault;
	}
	if (REQUEST_KINDS.includes(kind)) {
		const when = f.when === undefined ? 'before' : f.when;
		if (when !== 'before' && when !== 'after') throw new Error('when must be "before" or "after"');
		const fault: RequestFault = { id, kind: kind as RequestFaultKind, count, when };
		if (kind === 'delay') fault.ms = nonNegativeInt(f.ms, 'ms', 1000);
		if (kind === 'html' || kind === 'http500') fault.status = nonNegativeInt(f.status, 'status', kind === 'html' ? 502 : 500);
		if (f.match !== undefined) {
			const match = f.match as Record<string, unknown>;
			if (!match || typeof match !== 'object') throw new Error('match must be an object');
			fault.match = {};
			if (match.method !== undefined) fault.match.method = String(match.method).toUpperCase();
			if (match.path !== undefined) fault.match.path = String(match.path);
		}
		return fault;
	}
	throw new Error(`unknown fault kind "${kind}"`);
}

export class FaultQueue {
	private faults: Fault[] = [];
	private nextId = 1;

	/** Adds one fault or an array; all are validated before any is queued. */
	add(raw: unknown): Fault[] {
		const list = Array.isArray(raw) ? raw : [raw];
		const parsed = list.map((item, index) => parseFault(item, this.nextId + index));
		this.nextId += parsed.length;
		this.faults.push(...parsed);
		return parsed;
	}

	list(): Fault[] {
		return this.faults.map((fault) => ({ ...fault }));
	}

	clear(): void {
		this.faults = [];
	}

	takeRequest(method: string, path: string): RequestFault | undefined {
		return this.take((f): f is RequestFault => {
			if (!REQUEST_KINDS.includes(f.kind)) return false;
			const match = (f as RequestFault).match;
			if (match?.method && match.method !== method) return false;
			return !match?.path || path.startsWith(match.path);
		});
	}

	takeDevice(machineNo: string): DeviceFault | undefined {
		return this.take((f): f is DeviceFault => DEVICE_KINDS.includes(f.kind) && (f as DeviceFault).machineNo === machineNo);
	}

	takeCallback(): CallbackFault | undefined {
		return this.take((f): f is CallbackFault => CALLBACK_KINDS.includes(f.kind));
	}

	/** Uses one count of the first matching fault and returns a copy of it. */
	private take<T extends Fault>(test: (f: Fault) => f is T): T | undefined {
		const index = this.faults.findIndex(test);
		if (index < 0) return undefined;
		const fault = this.faults[index] as T;
		fault.count -= 1;
		if (fault.count <= 0) this.faults.splice(index, 1);
		return { ...fault, count: 1 };
	}
}

const HTML_PAGE =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * Answers with a broken response instead of the real one. `realBody` is the answer that was
 * lost ("after" mode) so a malformed body looks like a real one cut short.
 */
export function writeBrokenAnswer(res: ServerResponse, fault: RequestFault, realBody?: string): void {
	if (fault.kind === 'reset') {
		res.socket?.destroy();
		return;
	}
	let status = 200;
	let type = 'application/json; charset=utf-8';
	let body: string;
	if (fault.kind === 'http500') {
		status = fault.status ?? 500;
		type = 'text/plain; charset=utf-8';
		body = 'Internal Server Error';
	} else if (fault.kind === 'html') {
		status = fault.status ?? 502;
		type = 'text/html';
		body = HTML_PAGE;
	} else {
		const whole = realBody ?? '{"code":0,"message":"ok","data":{"delivery_id":"51217630';
		body = whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
	}
	res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
	res.end(body);
}
