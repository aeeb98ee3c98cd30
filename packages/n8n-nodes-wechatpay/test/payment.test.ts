import '../../../test/helpers/n8n/env';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { WeChatPayApi } from '../credentials/WeChatPayApi.credentials';
import { WeChatPay } from '../nodes/WeChatPay/WeChatPay.node';
import { readWeChatNotification } from '../nodes/WeChatPayNotificationTrigger/readNotification';
import { readWeChatPayVerifier } from '../nodes/shared/wechatpay/credentials';
import { startPaymentSandbox, type RunningPaymentSandbox } from '../../../sandbox/payments';
import { runNode, type RunNodeResult } from '../../../test/helpers/n8n/engine';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Payment → Get / Close through n8n-core's engine, against the payment sandbox over real HTTP. */

let sandbox: RunningPaymentSandbox;
let seq = 0;
/** The notification each payment pushed, kept to compare the look-up with what the trigger outputs. */
const pushed = new Map<string, { headers: IDataObject; body: string }>();
const receiver = http.createServer((req, res) => {
	let body = '';
	req.on('data', (chunk) => (body += chunk));
	req.on('end', () => {
		pushed.set(req.url ?? '', { headers: req.headers as IDataObject, body });
		res.writeHead(200).end();
	});
});
let receiverUrl = '';

beforeAll(async () => {
	sandbox = await startPaymentSandbox({ port: 0 });
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await sandbox.close();
	receiver.closeAllConnections();
	await new Promise((resolve) => receiver.close(resolve));
});

function run(parameters: IDataObject, opts: { continueOnFail?: boolean; items?: IDataObject[] } = {}): Promise<RunNodeResult> {
	return runNode({
		nodeTypes: { weChatPay: new WeChatPay() },
		credentialTypes: { weChatPayApi: new WeChatPayApi() },
		credentials: { weChatPayApi: { ...sandbox.weChatPay } },
		type: 'weChatPay',
		parameters: { resource: 'payment', ...parameters } as INodeParameters,
		items: opts.items,
		continueOnFail: opts.continueOnFail,
	});
}

async function paid(fen = 350): Promise<string> {
	const outTradeNo = `DS-P-${Date.now().toString(36)}${seq++}`;
	await sandbox.pay({ provider: 'weChatPay', out_trade_no: outTradeNo, amount_fen: fen, notify_url: `${receiverUrl}/${outTradeNo}`, attach: `machine_no=10000001&order_id=${seq}` });
	return outTradeNo;
}

describe('WeChat Pay Payment → Get', () => {
	it('by Out Trade No: the transaction as the Notification Trigger outputs it (amount in fen, attach an object), plus total_amount in yuan', async () => {
		const outTradeNo = await paid(350);
		const result = await run({ operation: 'get', lookUpBy: 'outTradeNo', outTradeNo });
		expect(result.error).toBeUndefined();
		const item = result.items[0].json;
		const notification = pushed.get(`/${outTradeNo}`) as { headers: IDataObject; body: string };
		const reading = readWeChatNotification(notification.headers, notification.body, readWeChatPayVerifier({ ...sandbox.weChatPay }));
		expect(reading).toMatchObject({ accept: true });
		const triggerItem = (reading as { item: IDataObject }).item;
		expect(item).toEqual({ ...triggerItem, total_amount: 3.5 });
		expect(item).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS', amount: { total: 350 }, attach: { machine_no: '10000001' } });
	});

	it('by Transaction ID, from the incoming item; a refunded payment reads REFUND', async () => {
		const outTradeNo = await paid(500);
		const transactionId = (sandbox.state().payments as IDataObject[]).find((p) => p.out_trade_no === outTradeNo)?.transaction_id;
		const refund = await runNode({
			nodeTypes: { weChatPay: new WeChatPay() },
			credentialTypes: { weChatPayApi: new WeChatPayApi() },
			credentials: { weChatPayApi: { ...sandbox.weChatPay } },
			type: 'weChatPay',
			parameters: { resource: 'refund', operation: 'create', outTradeNo, refundAmount: 1, totalAmount: 5, refundKey: `dsr-${seq}-1` },
		});
		expect(refund.error).toBeUndefined();
		const result = await run({ operation: 'get', lookUpBy: 'transactionId', transactionId: '={{ $json.transaction_id }}' }, { items: [{ transaction_id: transactionId }] });
		expect(result.items[0].json).toMatchObject({ out_trade_no: outTradeNo, transaction_id: transactionId, trade_state: 'REFUND', total_amount: 5 });
	});

	it('an unknown order: WeChat Pay\'s ORDER_NOT_EXIST explained (English error, Chinese messageZh with On Error → Continue)', async () => {
		const result = await run({ operation: 'get', outTradeNo: 'NO-SUCH-ORDER-1' });
		expect(result.error?.message).toContain('ORDER_NOT_EXIST');
		expect(String(result.error?.description)).toMatch(/knows no order with this number/);
		const kept = await run({ operation: 'get', outTradeNo: 'NO-SUCH-ORDER-1' }, { continueOnFail: true });
		expect(kept.items[0].json).toMatchObject({ error: expect.stringContaining('ORDER_NOT_EXIST'), messageZh: expect.stringContaining('订单不存在') });
	});

	it('bad input names the field and sends nothing', async () => {
		const result = await run({ operation: 'get', lookUpBy: 'transactionId', transactionId: 'abc' });
		expect(result.error?.message).toMatch(/"Transaction ID"/);
		expect(String(result.error?.description)).toMatch(/no request was sent/);
	});
});

describe('WeChat Pay Payment → Close', () => {
	it('closes an unpaid order: {closed: true, out_trade_no}; it reads CLOSED and can no longer be paid', async () => {
		const result = await run({ operation: 'close', outTradeNo: 'DS-UNPAID-1' });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ closed: true, out_trade_no: 'DS-UNPAID-1' }]);
		expect((await run({ operation: 'get', outTradeNo: 'DS-UNPAID-1' })).items[0].json).toMatchObject({ trade_state: 'CLOSED' });
		await expect(sandbox.pay({ provider: 'weChatPay', out_trade_no: 'DS-UNPAID-1', amount: '1', notify_url: `${receiverUrl}/x` })).rejects.toThrow(/closed/);
	});

	it('a paid order is refused: ORDERPAID, with what to do instead', async () => {
		const outTradeNo = await paid();
		const result = await run({ operation: 'close', outTradeNo });
		expect(result.error?.message).toContain('ORDERPAID');
		expect(String(result.error?.description)).toMatch(/cannot be closed\. To give the money back, refund it/);
	});
});
