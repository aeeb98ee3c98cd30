import { classifyCallback, dedupeKey, legacyItem, malformedDeliveryResult, normalizeCallback } from '../../nodes/DingShangDeliveryResultTrigger/normalizeCallback';
import { checkBody, ipAllowed, normalizeIp, parseAllowlist, tokenMatches } from '../../nodes/DingShangDeliveryResultTrigger/verifyCallback';
import { encodePayload, signParams } from '../../nodes/shared/dingshang/signing';

// The documented example body (PROTOCOL.md, "Delivery result callback").
const DOC_FAILURE = {
	deliver_status: '0',
	error_msg: 'Slave Comm Error',
	floor_status: '3',
	method: 'device.delivery.response',
	order_id: 60,
	record_id: 78,
};

describe('normalizeCallback', () => {
	const at = new Date('2026-11-22T06:00:00Z');

	it("normalizes the documented failure example with the platform's names and our own fields", () => {
		expect(normalizeCallback(DOC_FAILURE, at, { machine_no: '10000002', shop: 'north' })).toEqual({
			event: 'delivery.failed',
			outcome: 'failed',
			success: false,
			machine_no: '10000002',
			order_id: 60,
			record_id: 78,
			deliver_status: '0',
			floor_status: '3',
			channelStatus: 'Motor fault',
			channelStatusZh: '电机故障',
			error_msg: 'Slave Comm Error',
			reason: 'The slave board is unreachable (Motor fault)',
			reasonZh: '与从板通信失败（电机故障）',
			refund_key: 'dsr-60-78',
			receivedAt: '2026-11-22T06:00:00.000Z',
			query: { machine_no: '10000002', shop: 'north' },
			raw: DOC_FAILURE,
		});
	});

	it('version 1 keeps the old names (legacyItem)', () => {
		expect(legacyItem(normalizeCallback(DOC_FAILURE, at))).toEqual({
			event: 'delivery.failed',
			orderId: 60,
			recordId: 78,
			success: false,
			deliverStatus: '0',
			floorStatus: '3',
			floorStatusText: 'Motor fault',
			floorStatusTextZh: '电机故障',
			errorMsg: 'Slave Comm Error',
			reason: 'The slave board is unreachable (Motor fault)',
			reasonZh: '与从板通信失败（电机故障）',
			refundKey: 'dsr-60-78',
			receivedAt: '2026-11-22T06:00:00.000Z',
			query: {},
			raw: DOC_FAILURE,
		});
	});

	it('a success has no reason; outcome "dispensed" as Put Delivery says it', () => {
		const item = normalizeCallback({ ...DOC_FAILURE, deliver_status: '1', error_msg: '', floor_status: '1' }, at);
		expect(item).toMatchObject({ event: 'delivery.succeeded', outcome: 'dispensed', success: true, reason: null, reasonZh: null, refund_key: null, channelStatus: 'Channel normal' });
	});

	it('a machine number that is not one is not passed on as machine_no (it stays in query)', () => {
		expect(normalizeCallback(DOC_FAILURE, at, { machine_no: 'abc' })).toMatchObject({ machine_no: null, query: { machine_no: 'abc' } });
	});

	it('recognises the timeout push (status IS_TIMEOUT or error_msg "timeout")', () => {
		expect(classifyCallback({ method: 'device.delivery.response', deliver_status: '0', status: 'IS_TIMEOUT' })).toBe('delivery.timeout');
		expect(classifyCallback({ method: 'device.delivery.response', deliver_status: '0', error_msg: 'timeout' })).toBe('delivery.timeout');
		const item = normalizeCallback({ method: 'device.delivery.response', order_id: 1, record_id: 2, deliver_status: '0', error_msg: 'timeout' }, at);
		expect(item).toMatchObject({ outcome: 'timeout', reason: expect.stringMatching(/120 seconds/) });
	});

	it('unknown pushes are "other", missing fields do not crash, extra fields stay in raw', () => {
		const expiry = { method: 'order.expired', order_id: 61, trade_id: 'x', status: 'CLOSED', extra: { a: 1 } };
		const item = normalizeCallback(expiry, at);
		expect(item).toMatchObject({ event: 'other', outcome: 'other', order_id: 61, record_id: null, success: false, raw: expiry });
		expect(normalizeCallback({}, at)).toMatchObject({ event: 'other', order_id: null, floor_status: null, error_msg: '' });
	});

	it('form-encoded string ids become numbers', () => {
		expect(normalizeCallback({ ...DOC_FAILURE, order_id: '60', record_id: '78' }, at)).toMatchObject({ order_id: 60, record_id: 78 });
	});

	it('dedupe key is order|record|status, not the arrival', () => {
		expect(dedupeKey(DOC_FAILURE)).toBe(dedupeKey({ ...DOC_FAILURE, order_id: '60' }));
		expect(dedupeKey(DOC_FAILURE)).not.toBe(dedupeKey({ ...DOC_FAILURE, deliver_status: '1' }));
		expect(dedupeKey(DOC_FAILURE)).not.toBe(dedupeKey({ ...DOC_FAILURE, record_id: 79 }));
	});
});

describe('verifyCallback', () => {
	it('token compare', () => {
		expect(tokenMatches('s3cret', 's3cret')).toBe(true);
		expect(tokenMatches('s3cret', 's3creT')).toBe(false);
		expect(tokenMatches('s3cret', undefined)).toBe(false);
		expect(tokenMatches('s3cret', ['s3cret'])).toBe(false);
		expect(tokenMatches('', '')).toBe(false);
	});

	it('IP allowlist: exact, CIDR, IPv6, mapped IPv4, empty', () => {
		expect(ipAllowed('', '8.8.8.8')).toBe(true);
		expect(ipAllowed('127.0.0.1', '::ffff:127.0.0.1')).toBe(true);
		expect(ipAllowed('10.0.0.0/8, 192.168.1.7', '10.200.3.4')).toBe(true);
		expect(ipAllowed('10.0.0.0/8, 192.168.1.7', '11.0.0.1')).toBe(false);
		expect(ipAllowed('::1', '::1')).toBe(true);
		expect(ipAllowed('203.0.113.10', '127.0.0.1')).toBe(false);
		expect(normalizeIp('::FFFF:1.2.3.4')).toBe('1.2.3.4');
		expect(() => parseAllowlist('10.0.0.0/40')).toThrow(/"10.0.0.0\/40"/);
		expect(() => parseAllowlist('not-an-ip')).toThrow(/IP Allowlist entry "not-an-ip"/);
	});

	it('signature: absent allowed unless required; present is always checked', () => {
		const body = { ...DOC_FAILURE, timestamp: '1' } as Record<string, unknown>;
		expect(checkBody(body, 'k', false)).toMatchObject({ ok: true, signature: 'absent' });
		expect(checkBody(body, 'k', true)).toMatchObject({ ok: false, status: 401 });
		const signed = { ...body, sign: signParams(body, 'k') };
		expect(checkBody(signed, 'k', true)).toMatchObject({ ok: true, signature: 'valid' });
		expect(checkBody({ ...signed, floor_status: '1' }, 'k', false)).toMatchObject({ ok: false, status: 401 });
		expect(checkBody(signed, 'other', false)).toMatchObject({ ok: false, status: 401 });
		expect(checkBody(signed, undefined, false)).toMatchObject({ ok: false, status: 401 });
	});

	it('a {payload} body is decoded and verified', () => {
		const payload = encodePayload(DOC_FAILURE, 'k');
		const ok = checkBody({ payload }, 'k', true);
		expect(ok).toMatchObject({ ok: true, signature: 'valid' });
		expect(ok.ok && ok.fields.record_id).toBe(78);
		expect(checkBody({ payload: 'garbage!' }, 'k', false)).toMatchObject({ ok: false, status: 400 });
		expect(checkBody({ payload: encodePayload(DOC_FAILURE, 'wrong') }, 'k', false)).toMatchObject({ ok: false, status: 401 });
	});
});

describe('malformedDeliveryResult', () => {
	const ok = { method: 'device.delivery.response', deliver_status: '0', order_id: 60, record_id: 78 };

	it('accepts positive whole ids, as numbers or decimal strings', () => {
		expect(malformedDeliveryResult(ok)).toBeUndefined();
		expect(malformedDeliveryResult({ ...ok, order_id: '60', record_id: ' 78 ' })).toBeUndefined();
	});

	it.each([
		['order_id', '1; DROP TABLE'],
		['order_id', -1],
		['record_id', Infinity],
		['record_id', 1.5],
		['order_id', 0],
		['record_id', '007'],
		['order_id', null],
		['record_id', 2 ** 60],
	])('refuses %s = %p, naming the field', (field, value) => {
		expect(malformedDeliveryResult({ ...ok, [field]: value })).toContain(field);
	});

	it('leaves other pushes alone (their shape is not documented)', () => {
		expect(malformedDeliveryResult({ method: 'order.expired', order_id: 'x' })).toBeUndefined();
	});

	it('a Test Dispense result (no order: ids 0 or absent) is accepted as "other", never a refund case', () => {
		const test = { method: 'device.delivery.response', deliver_status: '0', order_id: 0, record_id: 0, channel_name: 'A1', floor_status: '2', error_msg: 'Goods are Stuck' };
		expect(malformedDeliveryResult(test)).toBeUndefined();
		expect(classifyCallback(test)).toBe('other');
		expect(normalizeCallback(test, new Date())).toMatchObject({ event: 'other', outcome: 'other', refund_key: null });
		expect(malformedDeliveryResult({ ...test, record_id: undefined, order_id: undefined })).toBeUndefined();
		expect(malformedDeliveryResult({ ...test, order_id: 60 })).toContain('record_id'); // half an order is still refused
	});
});
