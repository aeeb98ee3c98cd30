import { ApiError } from './envelope';
import { money } from './model';
import { pageHtml } from './pageHtml';
import { stateHtml, type Json, type PageLinks } from './pageState';
import type { AdminContext } from './routeTypes';
import { snapshot } from './snapshot';

export type { PageLinks } from './pageState';

/**
 * The sandbox page (GET / and /__sandbox): the state at a glance and buttons for what the admin API's
 * curl lines (sandbox/README.md) do, so a merchant needs no terminal. Its buttons call the admin API itself; the two
 * routes here reach beyond this sandbox (the payment sandbox, workflow 4's webhook) and so are async.
 */
export interface PageContext extends AdminContext {
	links: PageLinks;
}

export interface PageAnswer {
	status: number;
	type: string;
	text: string;
}

const RELAY_TIMEOUT_MS = 10_000;
const HTML = 'text/html; charset=utf-8';
const json = (status: number, value: unknown): PageAnswer => ({ status, type: 'application/json; charset=utf-8', text: JSON.stringify(value) });
let tradeSeq = 0;

/** Only servers on this machine: the page never sends anything off it. */
function loopbackUrl(url: unknown): url is string {
	if (typeof url !== 'string') return false;
	try {
		const { protocol, hostname } = new URL(url);
		return (protocol === 'http:' || protocol === 'https:') && (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname));
	} catch {
		return false;
	}
}

async function relay(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
	const answer = await fetch(url, {
		method,
		headers: body === undefined ? undefined : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
	});
	const text = await answer.text();
	try {
		return { status: answer.status, body: JSON.parse(text) };
	} catch {
		return { status: answer.status, body: text.slice(0, 2000) };
	}
}

/** The payment sandbox's state, or why it is missing; undefined when none is linked. */
async function paymentsState(links: PageLinks): Promise<Json | string | undefined> {
	if (!links.payments) return undefined;
	try {
		const { status, body } = await relay('GET', `${links.payments}/__payments/state`);
		return status === 200 ? body : `payment sandbox answered ${status}`;
	} catch (error) {
		return `payment sandbox ${links.payments} not reachable: ${(error as Error).message}`;
	}
}

/** The admin API's state (what GET /__sandbox/state shows) with the page's HTML of it. */
async function stateView(ctx: PageContext): Promise<{ state: Json; html: string }> {
	const state = { ...snapshot(ctx.state, ctx.dispenser), faults: ctx.faults.list(), callbacks: ctx.callbacks.list() };
	return { state, html: stateHtml(state, await paymentsState(ctx.links)) };
}

/** `{machine_no, product_id, provider, notify_url}`: an order for the product, paid in the payment sandbox (workflows 6/7's Try it branch). */
async function pay(ctx: PageContext, input: Json): Promise<PageAnswer> {
	if (!ctx.links.payments) return json(400, { error: 'no payment sandbox linked to this page' });
	if (!loopbackUrl(input?.notify_url)) return json(400, { error: 'notify_url must be an http URL on this machine (127.0.0.1 / localhost)' });
	const machine = ctx.state.machines.get(String(input.machine_no));
	const product = machine?.products.find((p) => p.product_id === input.product_id);
	if (!machine || !product) return json(404, { error: `no product ${input.product_id} on machine ${input.machine_no}` });
	const tradeId = `PAGE${Date.now().toString(36)}${(tradeSeq++).toString(36)}`;
	let order;
	try {
		order = ctx.state.createOrder({ machine_no: machine.machine_no, trade_id: tradeId, products: [{ product_id: product.product_id, quantity: 1 }] });
	} catch (error) {
		if (error instanceof ApiError) return json(400, { error: `create order refused: ${error.code} ${error.message}` });
		throw error;
	}
	// The same attach as Create Order's payment_attach, which workflows 6 and 7 read back.
	const attach = `machine_no=${machine.machine_no}&order_id=${order.order_id}`;
	const body = { provider: input.provider, out_trade_no: tradeId, amount: money(product.priceCents), attach, notify_url: input.notify_url };
	const paid = await relay('POST', `${ctx.links.payments}/__payments/pay`, body);
	return json(paid.status === 200 ? 200 : 502, { order_id: order.order_id, trade_id: tradeId, payment: paid.body });
}

/** `{machine_no, product_id, code}` → workflow 4's webhook, as a customer at the machine would. */
async function typeCode(ctx: PageContext, input: Json): Promise<PageAnswer> {
	if (!loopbackUrl(ctx.links.pickupWebhook)) return json(400, { error: 'no workflow 4 webhook linked to this page' });
	const typed = await relay('POST', ctx.links.pickupWebhook, { machine_no: input?.machine_no, code: String(input?.code ?? ''), product_id: input?.product_id });
	return json(typed.status < 400 ? 200 : 502, { workflow_answer: typed.status, body: typed.body });
}

/** The page's routes; undefined for any other path. Only loopback clients, like the admin API. */
export async function handlePage(ctx: PageContext, method: string, path: string, body: Buffer, loopback: boolean): Promise<PageAnswer | undefined> {
	const route = `${method} ${path}`;
	const known = ['GET /', 'GET /__sandbox', 'GET /__sandbox/page/state', 'POST /__sandbox/page/pay', 'POST /__sandbox/page/type-code'];
	if (!known.includes(route)) return undefined;
	if (!loopback) return json(403, { error: 'the sandbox page answers loopback clients only' });
	try {
		if (method === 'GET') {
			const { state, html } = await stateView(ctx);
			return { status: 200, type: HTML, text: path === '/__sandbox/page/state' ? html : pageHtml(state.machines, ctx.links, html) };
		}
		const input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
		return route === 'POST /__sandbox/page/pay' ? await pay(ctx, input) : await typeCode(ctx, input);
	} catch (error) {
		if (error instanceof SyntaxError) return json(400, { error: 'body is not valid JSON' });
		return json(502, { error: (error as Error).message });
	}
}

