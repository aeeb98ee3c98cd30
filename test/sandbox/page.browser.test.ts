import type { Browser, Page } from 'playwright-core';
import { ensureChromium, launchChromium } from '../../scripts/local';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';
import { openSandbox, Receiver, waitFor, type Json, type SandboxClient } from '../helpers/sandboxClient';

/**
 * The sandbox page in headless Chromium: each button changes the sandbox as its curl line did,
 * checked through the admin API — and workflow 3's refund path (the next dispense of 10000002
 * fails) needs no terminal.
 */

let client: SandboxClient;
let payments: RunningPaymentSandbox;
let browser: Browser | undefined;
let page: Page;
const receiver = new Receiver();

beforeAll(async () => {
	await ensureChromium(); // apt-get on a fresh machine: minutes, once
	client = await openSandbox();
	payments = await startPaymentSandbox({ port: 0, log: () => undefined });
	await receiver.start();
	Object.assign(client.sb.pageLinks, {
		payments: payments.baseUrl,
		notifyUrls: { weChatPay: receiver.url('wechat'), alipay: receiver.url('alipay') },
		pickupWebhook: receiver.url('pickup'),
	});
	browser = await launchChromium();
	page = await browser.newPage();
	page.on('dialog', (dialog) => void dialog.accept()); // "Reset everything" asks first
	await page.goto(`${client.sb.baseUrl}/`);
}, 900_000);

afterAll(async () => {
	await browser?.close();
	await client?.sb.close();
	await payments?.close();
	await receiver.close();
});

/** Presses a button and waits for the page's result line to say how it went. */
async function press(label: string): Promise<string> {
	await page.getByRole('button', { name: label, exact: true }).click();
	const result = page.locator('#result', { hasText: `${label} → ` });
	await result.waitFor({ timeout: 10_000 });
	const text = await result.innerText();
	expect(text).toContain(`${label} → done 完成`);
	return text;
}

const state = async (): Promise<Json> => await client.state();
const machine = async (no: string): Promise<Json> => (await state()).machines.find((m: Json) => m.machine_no === no);
const channel = async (no: string, name: string): Promise<Json> => (await machine(no)).products.find((p: Json) => p.channel === name);

describe('sandbox page in a browser', () => {
	it('"Next dispense fails" makes the next dispense of workflow 3\'s machine fail, shown on the page', async () => {
		expect(await page.locator('select[name=machine]').inputValue()).toBe('10000002');
		await press('Next dispense fails 下次出货失败');
		expect((await state()).faults).toEqual([expect.objectContaining({ kind: 'deliveryFail', machineNo: '10000002', floorStatus: '2', errorMsg: 'Goods are Stuck' })]);
		// What workflow 3 then does: order on 10000002, paid, dispensed.
		const { orderId, recordIds } = await client.paidOrder('10000002');
		const put = await client.putDelivery('10000002', orderId, recordIds[0]);
		expect(put.data.code).toBe(0);
		await client.waitRecord(recordIds[0], 'IS_FAILED');
		const delivery = (await state()).deliveries.find((d: Json) => d.record_id === recordIds[0]);
		expect(delivery).toMatchObject({ status: '出货失败', fail_reason: 'Goods are Stuck' });
		expect((await state()).faults).toEqual([]);
		await page.locator('#state', { hasText: 'Goods are Stuck' }).waitFor({ timeout: 5000 }); // the refresh shows it
	});

	it('queues and clears a silent dispense', async () => {
		await press('Next dispense never reports 下次出货无回应');
		expect((await state()).faults).toEqual([expect.objectContaining({ kind: 'deviceSilent', machineNo: '10000002' })]);
		await press('Clear waiting faults 清除待触发故障');
		expect((await state()).faults).toEqual([]);
	});

	it('takes a machine offline and back, jams, empties and refills a channel', async () => {
		await page.locator('select[name=machine]').selectOption('10000005');
		await press('Machine offline 设备离线');
		expect((await machine('10000005')).online).toBe(false);
		expect((await client.signed('POST', '/orders/1', { machine_no: '10000005' })).data.code).toBe(4008);
		await press('Machine online 设备上线');
		expect((await machine('10000005')).online).toBe(true);

		expect(await page.locator('select[name=channel]').inputValue()).toBe('10000003 A2 120');
		await press('Channel stuck 货道卡货');
		expect((await channel('10000003', 'A2')).floor_status).toBe('2');
		await press('Low stock 库存不足');
		expect((await channel('10000003', 'A2')).stock).toBe(1);
		await press('Refill 补货');
		expect((await channel('10000003', 'A2')).stock).toBe(120);
		await press('Channel fixed 货道恢复');
		expect((await channel('10000003', 'A2')).floor_status).toBe('1');
	});

	it('adds a pickup code, types it into workflow 4, and flips the switch', async () => {
		await press('Add a pickup code 生成取货码');
		const [code] = (await state()).pickup_codes as Json[];
		expect(code).toMatchObject({ machine_no: '10000001', product_id: 101, status: 'UNUSED' });
		await page.locator('#state .code', { hasText: code.code }).waitFor({ timeout: 5000 });
		await page.locator('input[name=code]').fill(code.code);
		await press('Customer types it 顾客输入');
		expect(receiver.hits('pickup').map((hit) => hit.body)).toEqual([{ machine_no: '10000001', product_id: 101, code: code.code }]);
		await press('Switch off 关闭取货码');
		expect((await machine('10000001')).pickup_enabled).toBe(false);
		await press('Switch on 开启取货码');
		expect((await machine('10000001')).pickup_enabled).toBe(true);
	});

	it('pays with WeChat Pay and Alipay: an order, a payment, a notification', async () => {
		for (const [label, provider, path] of [
			['Pay with WeChat Pay 微信支付', 'weChatPay', 'wechat'],
			['Pay with Alipay 支付宝支付', 'alipay', 'alipay'],
		]) {
			const text = await press(label);
			const { order_id, trade_id } = JSON.parse(text.slice(text.indexOf('{'))) as Json;
			const ledger = (await (await fetch(`${payments.baseUrl}/__payments/state`)).json()) as Json;
			expect(ledger.payments).toContainEqual(expect.objectContaining({ provider, out_trade_no: trade_id, total_fen: 200, attach: `machine_no=10000001&order_id=${order_id}` }));
			expect((await state()).orders).toContainEqual(expect.objectContaining({ order_id, trade_id, status: 'NOTPAY' }));
			await waitFor(async () => receiver.hits(path).length === 1);
			await page.locator('#state', { hasText: trade_id }).waitFor({ timeout: 5000 });
		}
	});

	it('lets unpaid orders expire, then resets everything', async () => {
		await press('+20 min: unpaid orders expire 未付订单过期');
		const orders = (await state()).orders as Json[];
		expect(orders.filter((o) => o.status === 'NOTPAY')).toEqual([]);
		expect(orders.filter((o) => o.expired).length).toBe(2);
		await press('Reset everything 全部重置');
		expect((await state()).orders).toEqual([]);
	});
});
