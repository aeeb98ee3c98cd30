import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';
import { openSandbox, Receiver, type Json, type SandboxClient } from '../helpers/sandboxClient';

/** The sandbox page over real HTTP: the HTML carries the state, escaped; its routes answer as the admin API does. */

let client: SandboxClient;
let payments: RunningPaymentSandbox;
const receiver = new Receiver();

beforeAll(async () => {
	client = await openSandbox();
	payments = await startPaymentSandbox({ port: 0, log: () => undefined });
	await receiver.start();
});

afterAll(async () => {
	await client?.sb.close();
	await payments?.close();
	await receiver.close();
});

beforeEach(async () => {
	await client.http.post('/__sandbox/reset');
	client.sb.pageLinks.payments = undefined;
	client.sb.pageLinks.pickupWebhook = undefined;
});

const page = async (path: string): Promise<{ status: number; type: string; text: string }> => {
	const answer = await client.http.get(path, { responseType: 'text', transformResponse: (text) => text });
	return { status: answer.status, type: String(answer.headers['content-type']), text: answer.data as string };
};

describe('sandbox page', () => {
	it('serves one self-contained HTML page at / and /__sandbox/ with the state and the buttons', async () => {
		const root = await page('/');
		expect(root.status).toBe(200);
		expect(root.type).toBe('text/html; charset=utf-8');
		expect(root.text).toMatch(/^<!doctype html>/);
		for (const text of ['Next dispense fails 下次出货失败', 'Machine offline 设备离线', 'Low stock 库存不足', 'Add a pickup code 生成取货码', 'Pay with WeChat Pay 微信支付', 'Pay with Alipay 支付宝支付']) {
			expect(root.text).toContain(text);
		}
		// State at a glance: the seed machines, 10000009 offline, the channel stock.
		expect(root.text).toContain('三楼茶水间 Floor 3 pantry');
		expect(root.text).toMatch(/<b>10000009<\/b>.*?data-online="false"/s);
		expect(root.text).toContain('stock 100/120');
		// No external assets: no src= or stylesheet links, only our own admin routes.
		expect(root.text).not.toMatch(/\ssrc=|<link|https?:\/\/(?!127\.0\.0\.1)/);
		const admin = await page('/__sandbox/');
		expect(admin.status).toBe(200);
		expect(admin.text).toContain('Next dispense fails 下次出货失败');
	});

	it('shows what changed: a stuck channel, an offline machine, a queued fault, an order', async () => {
		await client.http.post('/__sandbox/channels', { machine_no: '10000003', channel: 'A2', floor_status: '2', stock: 1 });
		await client.http.post('/__sandbox/machines/10000005/online', { online: false });
		await client.fault({ kind: 'deliveryFail', machineNo: '10000002', errorMsg: 'Goods are Stuck' });
		const { orderId } = await client.order('10000001');
		const { text } = await page('/__sandbox/page/state');
		expect(text).toContain('stuck 卡货');
		expect(text).toContain('stock 1/120');
		expect(text).toMatch(/<b>10000005<\/b>.*?data-online="false"/s);
		expect(text).toContain('deliveryFail machine 10000002 (Goods are Stuck) ×1');
		expect(text).toContain(`<td>${orderId}</td>`);
	});

	it('escapes every value it puts into HTML', async () => {
		const hostile = `<img/src=x/onerror=alert(1)>"'&`;
		const created = await client.createOrder({ machine_no: '10000001', trade_id: hostile, products: [{ product_id: 101, quantity: 1 }] });
		expect(created.data.code).toBe(0);
		for (const path of ['/', '/__sandbox/page/state']) {
			const { text } = await page(path);
			expect(text).not.toContain('<img/src=x');
			expect(text).toContain('&#60;img/src=x/onerror=alert(1)&#62;&#34;&#39;&#38;');
		}
	});

	it('adds a pickup code through the admin API, refused while the switch is off', async () => {
		const added = await client.http.post('/__sandbox/pickup-codes', { machine_no: '10000001', product_id: 102 });
		expect(added.status).toBe(200);
		const [code] = added.data.codes as Json[];
		expect(code).toMatchObject({ machine_no: '10000001', product_id: 102, status: 'UNUSED' });
		expect(code.code).toMatch(/^[1-9]\d{5}$/);
		expect((await client.state()).pickup_codes).toEqual([expect.objectContaining({ code: code.code })]);
		expect((await page('/')).text).toContain(`<b class="code">${code.code}</b>`);
		const off = await client.http.post('/__sandbox/pickup-codes', { machine_no: '10000004', product_id: 101 });
		expect(off.status).toBe(400);
		expect(off.data.error).toMatch(/^6031 /);
		expect((await client.http.post('/__sandbox/pickup-codes', { machine_no: '10000001', product_id: 999 })).data.error).toMatch(/^6045 /);
	});

	it('pays through the linked payment sandbox with the attach workflows 6 and 7 read', async () => {
		const refused = await client.http.post('/__sandbox/page/pay', { machine_no: '10000001', product_id: 101, provider: 'alipay', notify_url: receiver.url('a') });
		expect(refused.status).toBe(400);
		expect(refused.data.error).toMatch(/no payment sandbox/);
		client.sb.pageLinks.payments = payments.baseUrl;
		const offMachine = await client.http.post('/__sandbox/page/pay', { machine_no: '10000001', product_id: 101, provider: 'alipay', notify_url: 'http://192.0.2.1/notify' });
		expect(offMachine.status).toBe(400);
		const paid = await client.http.post('/__sandbox/page/pay', { machine_no: '10000001', product_id: 103, provider: 'alipay', notify_url: receiver.url('alipay') });
		expect(paid.status).toBe(200);
		const order = (await client.state()).orders.find((o: Json) => o.order_id === paid.data.order_id);
		expect(order).toMatchObject({ machine_no: '10000001', status: 'NOTPAY', trade_id: paid.data.trade_id });
		const ledger = (await (await fetch(`${payments.baseUrl}/__payments/state`)).json()) as Json;
		expect(ledger.payments).toEqual([expect.objectContaining({ provider: 'alipay', out_trade_no: paid.data.trade_id, total_fen: 550, attach: `machine_no=10000001&order_id=${order.order_id}` })]);
		expect(receiver.hits('alipay')).toHaveLength(1);
		// The page lists the payment from the payment sandbox.
		expect((await page('/__sandbox/page/state')).text).toContain(paid.data.trade_id);
	});

	it('types a pickup code into the linked workflow 4 webhook', async () => {
		const none = await client.http.post('/__sandbox/page/type-code', { machine_no: '10000001', product_id: 101, code: '123456' });
		expect(none.status).toBe(400);
		client.sb.pageLinks.pickupWebhook = receiver.url('pickup');
		const typed = await client.http.post('/__sandbox/page/type-code', { machine_no: '10000001', product_id: 101, code: '123456' });
		expect(typed.status).toBe(200);
		expect(receiver.hits('pickup').map((hit) => hit.body)).toEqual([{ machine_no: '10000001', product_id: 101, code: '123456' }]);
	});
});
