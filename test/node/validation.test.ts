import { SandboxClient, openSandbox } from '../helpers/sandboxClient';
import { apiRequestCount, vendingRunner } from '../helpers/vending';

/**
 * Bad input is refused before any request: each case names the field, shows the bad value and
 * the sandbox sees zero requests. Values come through expressions, as they do in real workflows.
 */

let client: SandboxClient;
beforeAll(async () => (client = await openSandbox()));
afterAll(async () => client.sb.close());

type Params = Record<string, unknown>;
const get = (extra: Params): Params => ({ resource: 'order', operation: 'get', orderId: '60', machineNo: '10000001', ...extra });
const update = (extra: Params): Params => ({ resource: 'order', operation: 'update', orderId: '60', machineNo: '10000001', status: 1, ...extra });
const putRecord = (extra: Params): Params => ({ resource: 'delivery', operation: 'put', orderId: '60', machineNo: '10000001', dispense: 'record', recordId: '78', ...extra });
const getDelivery = (extra: Params): Params => ({ resource: 'delivery', operation: 'get', machineNo: '10000001', deliveryId: '5121763043809673', ...extra });
const create = (extra: Params): Params => ({
	resource: 'order',
	operation: 'create',
	machineNo: '10000001',
	products: { product: [{ productId: '101', quantity: 1 }] },
	...extra,
});
const expr = (value: unknown) => `={{${JSON.stringify(value)}}}`;

const cases: Array<[string, Params, RegExp]> = [
	['machine no empty', get({ machineNo: expr('') }), /Invalid "Machine No".*got an empty value/],
	['machine no 7 digits', get({ machineNo: '1234567' }), /Invalid "Machine No".*"1234567"/],
	['machine no letters', get({ machineNo: 'abcdefgh' }), /Invalid "Machine No".*"abcdefgh"/],
	['machine no mixed', get({ machineNo: '1000000a' }), /Invalid "Machine No"/],
	['machine no blank', get({ machineNo: expr('   ') }), /Invalid "Machine No"/],
	['machine no decimal', get({ machineNo: '10000001.5' }), /Invalid "Machine No"/],
	['machine no negative', get({ machineNo: '-10000001' }), /Invalid "Machine No"/],
	['machine no object', get({ machineNo: '={{ {a: 1} }}' }), /Invalid "Machine No"/],
	['order id empty', get({ orderId: expr('') }), /Invalid "Order ID".*empty value/],
	['order id zero', get({ orderId: '0' }), /Invalid "Order ID".*positive whole number.*"0"/],
	['order id negative', get({ orderId: '-5' }), /Invalid "Order ID"/],
	['order id decimal', get({ orderId: '1.5' }), /Invalid "Order ID"/],
	['order id text', get({ orderId: 'abc' }), /Invalid "Order ID".*"abc"/],
	['order id too long', get({ orderId: '12345678901234567890' }), /Invalid "Order ID"/],
	['order id null', get({ orderId: '={{null}}' }), /Invalid "Order ID"/],
	['order id missing field', get({ orderId: '={{$json.nothing}}' }), /Invalid "Order ID"/],
	['status 0', update({ status: 0 }), /Invalid "Status".*1 to 6.*got 0/],
	['status 7', update({ status: 7 }), /Invalid "Status".*got 7/],
	['status text', update({ status: expr('paid') }), /Invalid "Status".*"paid"/],
	['status decimal', update({ status: 2.5 }), /Invalid "Status"/],
	['record id empty', putRecord({ recordId: expr('') }), /Invalid "Record ID"/],
	['record id zero', putRecord({ recordId: '0' }), /Invalid "Record ID"/],
	['record id text', putRecord({ recordId: 'x1' }), /Invalid "Record ID".*"x1"/],
	['put order id text', putRecord({ orderId: 'ORDER-60' }), /Invalid "Order ID"/],
	['max wait negative', putRecord({ maxWaitSeconds: -1 }), /Invalid "Max Wait for Machine"/],
	['max wait huge', putRecord({ maxWaitSeconds: 100000 }), /Invalid "Max Wait for Machine"/],
	['result timeout text', putRecord({ options: { resultTimeoutSeconds: expr('soon') } }), /Invalid "Result Timeout"/],
	['delivery id empty', getDelivery({ deliveryId: expr('') }), /Invalid "Delivery ID"/],
	['delivery id text', getDelivery({ deliveryId: 'abc' }), /Invalid "Delivery ID".*"abc"/],
	['products none', create({ products: {} }), /Invalid "Products".*at least one/],
	['product id empty', create({ products: { product: [{ productId: '', quantity: 1 }] } }), /Invalid "Products › line 1 › Product ID"/],
	['product id on line 2', create({ products: { product: [{ productId: '101', quantity: 1 }, { productId: 'x', quantity: 1 }] } }), /line 2 › Product ID.*"x"/],
	['quantity zero', create({ products: { product: [{ productId: '101', quantity: 0 }] } }), /Invalid "Products › line 1 › Quantity".*got 0/],
	['quantity decimal', create({ products: { product: [{ productId: '101', quantity: 1.5 }] } }), /Quantity/],
	['notify url not a url', create({ notifyUrl: 'not a url' }), /Invalid "Notify URL".*"not a url"/],
	['notify url ftp', create({ notifyUrl: 'ftp://example.com/x' }), /Invalid "Notify URL"/],
	['trade id 中文', create({ tradeId: '订单12345' }), /Invalid "Trade ID".*1 to 32.*"订单12345"/],
	['trade id long', create({ tradeId: 'x'.repeat(40) }), /Invalid "Trade ID"/],
	['trade id spaces', create({ tradeId: 'abc def ghi jkl mno pqr' }), /Invalid "Trade ID"/],
];

describe('malformed inputs: field-naming errors, zero requests', () => {
	it(`has at least 30 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(30));

	it.each(cases)('%s', async (_name, parameters, message) => {
		const before = await apiRequestCount(client);
		const result = await vendingRunner(client)(parameters);
		expect(result.items).toHaveLength(0);
		expect(String(result.error?.message)).toMatch(message);
		expect(String(result.error?.description)).toMatch(/no request was sent/);
		expect(await apiRequestCount(client)).toBe(before);
	});

	it.each([
		['empty base URL', { baseUrl: '' }, /"Base URL" is empty/],
		['base URL not http', { baseUrl: 'ftp://127.0.0.1' }, /"Base URL" must be an http\(s\) URL, got "ftp:\/\/127.0.0.1"/],
		['base URL garbage', { baseUrl: 'not a url' }, /"Base URL" must be an http\(s\) URL/],
		['empty signing key', { signingKey: '' }, /"Signing Key" is empty/],
		['empty app secret', { appSecret: '' }, /"App Secret" is empty/],
	])('credential: %s', async (_name, override, message) => {
		const before = await apiRequestCount(client);
		const result = await vendingRunner(client, override)(get({}));
		expect(String(result.error?.message)).toMatch(message);
		expect(await apiRequestCount(client)).toBe(before);
	});

	it('one bad item stops the whole run before the first request (no partial dispensing)', async () => {
		const before = await apiRequestCount(client);
		const result = await vendingRunner(client)(get({ orderId: '={{$json.id}}' }), [{ id: 1 }, { id: 2 }, { id: 'three' }]);
		expect(String(result.error?.message)).toMatch(/Invalid "Order ID".*"three"/);
		expect(await apiRequestCount(client)).toBe(before);
	});

	it('with continueOnFail only the bad item fails; the others run', async () => {
		const { orderId } = await client.order('10000001');
		const result = await vendingRunner(client)(get({ orderId: '={{$json.id}}' }), [{ id: orderId }, { id: 'bad' }], true);
		expect(result.items[0].json).toMatchObject({ order_id: orderId });
		expect(result.items[1].json).toMatchObject({ error: expect.stringMatching(/Invalid "Order ID"/), code: null });
		expect(result.items[1].pairedItem).toEqual({ item: 1 });
	});
});
