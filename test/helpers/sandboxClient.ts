import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import http from 'http';
import type { AddressInfo } from 'net';
import { API_PREFIX, DELIVERY_METHOD } from '../../nodes/shared/dingshang/protocol';
import { encodePayload, type SignStyle } from '../../nodes/shared/dingshang/signing';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox';

/** Shared test client for the sandbox: real HTTP on 127.0.0.1, never throws on HTTP status. */

export type Json = any;

let tradeSeq = 0;
/** Unique 24-character trade id. */
export const tradeId = (): string => `T${Date.now().toString(36)}${(tradeSeq++).toString().padStart(6, '0')}`.padEnd(24, 'x');

export const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

export class SandboxClient {
	readonly http: AxiosInstance;

	constructor(readonly sb: RunningSandbox) {
		this.http = axios.create({
			baseURL: sb.baseUrl,
			validateStatus: () => true,
			timeout: 5000,
			headers: { Appid: sb.appId, AppSecret: sb.appSecret },
		});
	}

	/** A signed call: `{"payload": base64}` built with the shared signing module (plain form unless `style` says otherwise). */
	signed(method: 'POST' | 'PUT', path: string, params: Record<string, unknown>, key = this.sb.signKey, style?: SignStyle): Promise<AxiosResponse<Json>> {
		return this.http.request({ method, url: API_PREFIX + path, data: { payload: encodePayload(params, key, { style }) } });
	}

	createOrder(body: Record<string, unknown>): Promise<AxiosResponse<Json>> {
		return this.http.post(`${API_PREFIX}/orders`, body);
	}

	/** Creates an order and returns its id and record ids (throws if the sandbox refused). */
	async order(machineNo: string, products: Array<{ product_id: number; quantity: number }> = [{ product_id: 101, quantity: 1 }], notifyUrl?: string): Promise<{ orderId: number; recordIds: number[]; tradeId: string }> {
		const trade = tradeId();
		const created = await this.createOrder({ machine_no: machineNo, trade_id: trade, notify_url: notifyUrl, products });
		if (created.data?.code !== 0) throw new Error(`create order failed: ${JSON.stringify(created.data)}`);
		const orderId = created.data.data.order_id as number;
		const got = await this.signed('POST', `/orders/${orderId}`, { machine_no: machineNo });
		return { orderId, recordIds: got.data.data.records.map((r: Json) => r.id), tradeId: trade };
	}

	setStatus(machineNo: string, orderId: number, status: number | string): Promise<AxiosResponse<Json>> {
		return this.signed('PUT', `/orders/${orderId}`, { machine_no: machineNo, status: String(status) });
	}

	async paidOrder(machineNo: string, products?: Array<{ product_id: number; quantity: number }>, notifyUrl?: string): Promise<{ orderId: number; recordIds: number[] }> {
		const order = await this.order(machineNo, products, notifyUrl);
		const paid = await this.setStatus(machineNo, order.orderId, 1);
		if (paid.data?.code !== 0) throw new Error(`pay failed: ${JSON.stringify(paid.data)}`);
		return order;
	}

	putDelivery(machineNo: string, orderId: number, recordId: number): Promise<AxiosResponse<Json>> {
		return this.signed('POST', '/deliveries', {
			machine_no: machineNo,
			method: DELIVERY_METHOD,
			order_id: String(orderId),
			record_id: String(recordId),
		});
	}

	getDelivery(machineNo: string, deliveryId: string): Promise<AxiosResponse<Json>> {
		return this.signed('POST', `/deliveries/${deliveryId}`, { machine_no: machineNo });
	}

	async state(): Promise<Json> {
		return (await this.http.get('/__sandbox/state')).data;
	}

	async record(recordId: number): Promise<Json> {
		const state = await this.state();
		for (const order of state.orders) for (const r of order.records) if (r.record_id === recordId) return r;
		return undefined;
	}

	async stock(machineNo: string, productId: number): Promise<number> {
		const state = await this.state();
		const machine = state.machines.find((m: Json) => m.machine_no === machineNo);
		return machine.products.find((p: Json) => p.product_id === productId).stock;
	}

	async fault(fault: unknown): Promise<AxiosResponse<Json>> {
		const answer = await this.http.post('/__sandbox/faults', fault);
		if (answer.status !== 200) throw new Error(`fault refused: ${JSON.stringify(answer.data)}`);
		return answer;
	}

	/** Adds a machine through the admin API (throws if refused). */
	async addMachine(machineNo: string, type: string, stock?: number): Promise<Json> {
		const answer = await this.http.post('/__sandbox/machines', { machine_no: machineNo, type, stock });
		if (answer.status !== 200) throw new Error(`machine refused: ${JSON.stringify(answer.data)}`);
		return answer.data;
	}

	async advance(seconds: number): Promise<Json> {
		return (await this.http.post('/__sandbox/clock', { advanceSeconds: seconds })).data;
	}

	/** Polls the record until its status is `status` (bounded). */
	waitRecord(recordId: number, status: string, timeoutMs = 3000): Promise<Json> {
		return waitFor(async () => {
			const r = await this.record(recordId);
			return r?.status === status ? r : undefined;
		}, timeoutMs);
	}
}

export async function openSandbox(opts: SandboxOptions = {}): Promise<SandboxClient> {
	return new SandboxClient(await startSandbox({ port: 0, log: false, timeScale: 0.01, ...opts }));
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs = 3000, everyMs = 10): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

export interface Received {
	path: string;
	body: Json;
	at: number;
}

/** A local notify_url receiver; each test uses its own path, and can choose the HTTP status per hit. */
export class Receiver {
	readonly received: Received[] = [];
	private readonly statusByPath = new Map<string, (hit: number) => number>();
	private server = http.createServer((req, res) => {
		let text = '';
		req.on('data', (chunk) => (text += chunk));
		req.on('end', () => {
			const path = req.url ?? '/';
			let body: Json = text;
			try {
				body = JSON.parse(text);
			} catch {
				/* keep the raw text */
			}
			const hit = this.hits(path).length;
			this.received.push({ path, body, at: Date.now() });
			const status = this.statusByPath.get(path)?.(hit) ?? 200;
			res.writeHead(status, { 'Content-Type': 'text/plain' });
			res.end(status === 200 ? 'success' : 'error');
		});
	});
	private base = '';

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	url(path: string, status?: (hit: number) => number): string {
		if (status) this.statusByPath.set(`/${path}`, status);
		return `${this.base}/${path}`;
	}

	hits(path: string): Received[] {
		const full = path.startsWith('/') ? path : `/${path}`;
		return this.received.filter((r) => r.path === full);
	}

	close(): Promise<void> {
		return new Promise((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}
