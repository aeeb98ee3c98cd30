import { API_PREFIX, DELIVERY_METHOD } from '../../nodes/shared/dingshang/protocol';
import { SIGN_STYLES, type SignStyle } from '../../nodes/shared/dingshang/signing';
import { readSignStyle, type SandboxSignStyle } from '../../sandbox';
import { formatDateTime } from '../../sandbox/clock';
import { SPECIAL_MACHINE } from '../../sandbox/model';
import { openSandbox, tradeId, type Json, type SandboxClient } from '../helpers/sandboxClient';

/**
 * The sandbox takes requests the way the vendor's own clients send them (issue: "speak the
 * platform the way its own clients do"): either signature form, or only one (`--sign-style`);
 * merchants' trade ids; special merchants' long machine numbers; JSON numbers where the docs show strings.
 */

const M = '10000002';
const NOTIFY_URL = 'http://127.0.0.1:9/hook?token=t&x=1';

describe.each<[SandboxSignStyle, SignStyle[]]>([
	['either', ['plain', 'go']],
	['plain', ['plain']],
	['go', ['go']],
])('--sign-style %s', (mode, accepted) => {
	let c: SandboxClient;
	beforeAll(async () => (c = await openSandbox({ signStyle: mode })));
	afterAll(async () => c.sb.close());

	it.each(SIGN_STYLES.map((style) => [style]))('a test dispense with a notify_url signed the %s way', async (style) => {
		const res = await c.signed('POST', '/deliveries/debug', { machine_no: M, method: DELIVERY_METHOD, channel_name: 'A1', notify_url: NOTIFY_URL }, c.sb.signKey, style);
		if (accepted.includes(style)) expect(res.data).toMatchObject({ code: 0, data: { delivery_id: expect.any(String) } });
		else expect(res.data).toEqual({ code: 4006, message: 'sorry, payload sign invalid', data: {} });
		await c.http.post('/__sandbox/reset'); // the machine's lock
	});

	it('payloads whose forms agree pass in every mode; a wrong key never does; the state counts how each sign was read', async () => {
		for (const style of SIGN_STYLES) expect((await c.signed('POST', '/floors', { machine_no: M }, c.sb.signKey, style)).data.code).toBe(0);
		expect((await c.signed('POST', '/floors', { machine_no: M }, 'wrong-key')).data.code).toBe(4006);
		for (const style of SIGN_STYLES) await c.signed('POST', '/deliveries/debug', { machine_no: M, method: DELIVERY_METHOD, channel_name: 'A1', notify_url: NOTIFY_URL }, c.sb.signKey, style);
		const { signatures } = await c.state();
		expect(signatures).toEqual({
			same: 2,
			refused: 1 + (2 - accepted.length),
			...Object.fromEntries(accepted.map((style) => [style, 1])),
		});
	});
});

describe('choosing the sign style', () => {
	it('readSignStyle takes either | plain | go, `either` when absent, and names the mistake otherwise', () => {
		expect(readSignStyle(undefined)).toBe('either');
		for (const style of ['either', 'plain', 'go']) expect(readSignStyle(style)).toBe(style);
		expect(() => readSignStyle('php')).toThrow(/sign style must be one of either, plain, go, got "php"/);
	});

	it('SANDBOX_SIGN_STYLE sets the default (what npm start passes on); an option wins', async () => {
		const saved = process.env.SANDBOX_SIGN_STYLE;
		process.env.SANDBOX_SIGN_STYLE = 'go';
		try {
			const fromEnv = await openSandbox();
			expect(fromEnv.sb.signStyle).toBe('go');
			await fromEnv.sb.close();
			const fromOption = await openSandbox({ signStyle: 'plain' });
			expect(fromOption.sb.signStyle).toBe('plain');
			await fromOption.sb.close();
			process.env.SANDBOX_SIGN_STYLE = 'nonsense';
			await expect(openSandbox()).rejects.toThrow(/sign style must be one of/);
		} finally {
			if (saved === undefined) delete process.env.SANDBOX_SIGN_STYLE;
			else process.env.SANDBOX_SIGN_STYLE = saved;
		}
	});
});

describe('trade ids, machine numbers and JSON numbers as the vendor clients send them', () => {
	let c: SandboxClient;
	beforeAll(async () => (c = await openSandbox()));
	afterAll(async () => c.sb.close());
	beforeEach(async () => {
		await c.http.post('/__sandbox/reset');
	});

	const signed = async (path: string, params: Record<string, unknown>, method: 'POST' | 'PUT' = 'POST'): Promise<Json> => (await c.signed(method, path, params)).data;
	const products = [{ product_id: 101, quantity: 1 }];

	it("create order takes the mini-program's Date.now() trade id (13 digits, also as a JSON number) and any 1–32 visible characters", async () => {
		const now = Date.now();
		for (const trade_id of [String(now), now + 1, 'W', 'wx-4200001234#2026', 'x'.repeat(32)]) {
			const res = await c.createOrder({ machine_no: M, trade_id, products });
			expect(res.data).toMatchObject({ code: 0, data: { order_id: expect.any(Number) } });
		}
		for (const trade_id of ['x'.repeat(33), 'a b', '订单1', '']) {
			expect((await c.createOrder({ machine_no: M, trade_id, products })).data.code).toBe(trade_id === '' ? 4003 : 4003);
		}
	});

	it(`the seeded special-merchant machine ${SPECIAL_MACHINE} (16 digits) is listed, sells and dispenses`, async () => {
		const list = (await c.http.post(API_PREFIX + '/rent/machines')).data.data as Json[];
		expect(list.find((m) => m.machine_no === SPECIAL_MACHINE)).toMatchObject({ is_online: true });
		const { orderId, recordIds } = await c.paidOrder(SPECIAL_MACHINE);
		const put = await c.putDelivery(SPECIAL_MACHINE, orderId, recordIds[0]);
		expect(put.data).toMatchObject({ code: 0, data: { delivery_id: expect.any(String) } });
		expect((await c.http.post('/__sandbox/machines', { machine_no: '12345678901234', type: 'motor' })).status).toBe(200);
		expect((await signed('/floors', { machine_no: '12345678901234' })).code).toBe(0);
	});

	describe('every payload field takes a JSON number or its decimal string alike', () => {
		const both = async (call: (n: (v: number) => number | string) => Promise<Json>): Promise<[Json, Json]> => {
			const asString = await call((v) => String(v));
			await c.http.post('/__sandbox/reset');
			const asNumber = await call((v) => v);
			return [asString, asNumber];
		};
		const machine = Number(M);

		it('POST /orders (create, unsigned): machine_no, product_id, quantity', async () => {
			const [s, n] = await both((v) => c.createOrder({ machine_no: v(machine), trade_id: tradeId(), products: [{ product_id: v(101), quantity: v(2) }] }).then((r) => r.data));
			expect(s).toMatchObject({ code: 0 });
			expect(n).toMatchObject({ code: 0 });
		});

		it('PUT /orders/{id} (update): status, machine_no and timestamp', async () => {
			const [s, n] = await both(async (v) => {
				const { orderId } = await c.order(M);
				await signed(`/orders/${orderId}`, { machine_no: v(machine), status: v(1), timestamp: v(Math.floor(Date.now() / 1000)) }, 'PUT');
				return signed(`/orders/${orderId}`, { machine_no: v(machine) });
			});
			expect(s.data.status).toBe('SUCCESS');
			expect(n.data.status).toBe('SUCCESS');
		});

		it('POST /deliveries and POST /deliveries/{id}: order_id, record_id', async () => {
			const [s, n] = await both(async (v) => {
				const { orderId, recordIds } = await c.paidOrder(M);
				const put = await signed('/deliveries', { machine_no: v(machine), method: DELIVERY_METHOD, order_id: v(orderId), record_id: v(recordIds[0]) });
				return signed(`/deliveries/${put.data.delivery_id}`, { machine_no: v(machine) });
			});
			expect(s).toMatchObject({ code: 0, data: { status: expect.any(String) } });
			expect(n).toMatchObject({ code: 0, data: { status: expect.any(String) } });
		});

		it('POST /products: page, per_page, category_id, select_all, addr', async () => {
			const [s, n] = await both((v) => signed('/products', { machine_no: v(machine), page: v(1), per_page: v(2), category_id: v(1), select_all: v(1), addr: v(1) }));
			expect(s.code).toBe(0);
			expect(n).toEqual(s);
			expect(n.data.data.map((p: Json) => p.id)).toEqual([101, 102]); // select_all: every drink, not one page of 2
			const [paged] = await both((v) => signed('/products', { machine_no: v(machine), page: v(2), per_page: v(2), select_all: v(0) }));
			expect(paged.data.data.map((p: Json) => p.id)).toEqual([103]);
			expect((await signed('/products', { machine_no: M, select_all: 2 })).code).toBe(4003);
		});

		it('POST /floors and POST /categories: machine_no', async () => {
			for (const path of ['/floors', '/categories']) {
				const [s, n] = await both((v) => signed(path, { machine_no: v(machine) }));
				expect(s.code).toBe(0);
				expect(n).toEqual(s);
			}
		});

		it('POST /pickup_codes (create), POST /products/{id}/pickup_code, PUT /pickup_codes (delete one): product_id, code_length, count, id', async () => {
			const [s, n] = await both(async (v) => {
				const created = await signed('/pickup_codes', { machine_no: v(machine), method: 'pickup_code.product.id', product_id: v(101), code_length: v(8), count: v(2) });
				expect(created.code).toBe(0);
				const listed = await signed('/products/101/pickup_code', { machine_no: v(machine) });
				expect(listed.data.map((code: Json) => String(code.code).length)).toEqual([8, 8]);
				const deleted = await signed('/pickup_codes', { machine_no: v(machine), method: 'pickup_code.delete.id', id: v(listed.data[0].id) }, 'PUT');
				expect(deleted.code).toBe(0);
				return (await signed('/products/101/pickup_code', { machine_no: M })).data.length;
			});
			expect([s, n]).toEqual([1, 1]);
		});

		it('POST /consumes: code, product_id and a numeric trade_id', async () => {
			const [s, n] = await both(async (v) => {
				await signed('/pickup_codes', { machine_no: M, method: 'pickup_code.product.id', product_id: '101' });
				const [code] = (await signed('/products/101/pickup_code', { machine_no: M })).data;
				return signed('/consumes', { machine_no: v(machine), method: 'event.consume.pickup_code', code: v(Number(code.code)), product_id: v(101), trade_id: v(Date.now()) });
			});
			expect(s).toMatchObject({ code: 0, data: { status: 'PICKUPCODE' } });
			expect(n).toMatchObject({ code: 0, data: { status: 'PICKUPCODE' } });
		});

		it('POST /deliveries/debug: machine_no (channel_name is text)', async () => {
			const [s, n] = await both((v) => signed('/deliveries/debug', { machine_no: v(machine), method: DELIVERY_METHOD, channel_name: 'A1' }));
			expect(s).toMatchObject({ code: 0, data: { delivery_id: expect.any(String) } });
			expect(n).toMatchObject({ code: 0, data: { delivery_id: expect.any(String) } });
		});

		it('expired_at stays text: a China-time string works, a number is refused as invalid (6029)', async () => {
			const later = formatDateTime((await c.http.get('/__sandbox/clock')).data.now_ms + 3600_000);
			expect((await signed('/pickup_codes', { machine_no: M, method: 'pickup_code.product.id', product_id: 101, expired_at: later })).code).toBe(0);
			expect((await signed('/pickup_codes', { machine_no: M, method: 'pickup_code.product.id', product_id: 101, expired_at: 1735660799 })).code).toBe(6029);
		});
	});
});
