import { readFileSync } from 'fs';
import { join } from 'path';

import { chinaTimeToIso } from '../../nodes/shared/common/chinaTime';
import {
	deliveryTwins,
	ERROR_CODES,
	explainFailure,
	explainOutcome,
	FAIL_REASONS,
	FLOOR_STATUS,
	isMachineBusy,
	MACHINE_BUSY_CODE,
	MACHINE_BUSY_MESSAGE,
	outcomeOfStatus,
	refundKeyFor,
} from '../../nodes/shared/dingshang/protocol';

// The protocol page as received (docs/PROTOCOL.md is a verbatim copy of ../shared/PROTOCOL.md).
const protocol = readFileSync(join(__dirname, '../../docs/PROTOCOL.md'), 'utf8');

describe('tables agree with PROTOCOL.md', () => {
	it('every documented error_msg has an English and Chinese explanation', () => {
		const section = protocol.slice(protocol.indexOf('Known values and meaning'), protocol.indexOf('If the machine never reports'));
		const documented = [...section.replace(/\s+/g, ' ').matchAll(/(?:;|:) ([A-Z][A-Za-z ]+?) \(/g)].map((m) => m[1]);
		expect(documented.length).toBe(15);
		for (const msg of documented) {
			expect(FAIL_REASONS[msg]?.en).toBeTruthy();
			expect(FAIL_REASONS[msg]?.zh).toMatch(/[\u4e00-\u9fff]/);
		}
		expect(Object.keys(FAIL_REASONS).sort()).toEqual([...documented].sort());
	});

	it('every documented floor_status has an explanation', () => {
		const flat = protocol.replace(/\s+/g, ' ');
		const line = flat.slice(flat.indexOf('`floor_status` (channel state):'), flat.indexOf('- `error_msg`'));
		const codes = [...line.matchAll(/(\d+) [a-z]/g)].map((m) => m[1]);
		expect(codes).toEqual(['0', '1', '2', '3', '47']);
		expect(Object.keys(FLOOR_STATUS).sort()).toEqual([...codes].sort());
	});

	it('every error code named in PROTOCOL.md is mapped to a plain explanation', () => {
		const section = protocol.slice(protocol.indexOf('## Error codes seen in the docs'));
		const codes = [...section.matchAll(/\b([1-9]\d{2,4})\b/g)]
			.map((m) => Number(m[1]))
			.filter((n) => n !== 1000 && n !== 6056) // "1000–6056" is the range, not codes
			.filter((n) => n !== 2024 && n !== 2025); // years ("2024-06 onward", "May 2025")
		expect(codes.length).toBeGreaterThanOrEqual(20);
		for (const code of codes) expect(ERROR_CODES[code]?.en).toBeTruthy();
	});
});

describe('explanations', () => {
	it('explains a documented failure in both languages, with the channel state', () => {
		expect(explainFailure('2', 'Goods are Stuck')).toEqual({
			en: 'The drop sensor saw no product: the product is stuck (Product stuck in the channel)',
			zh: '掉货检测未检测到商品：卡货（商品卡货）',
		});
		expect(explainFailure('3', '').en).toBe('Motor fault');
	});

	it('passes an unknown machine message through verbatim', () => {
		expect(explainFailure('1', 'Brand New Error').en).toBe('Machine reported: Brand New Error (Channel normal)');
		expect(explainFailure(undefined, undefined).en).toMatch(/without a reason/);
	});

	it('explainOutcome is empty for success and set for failure/timeout', () => {
		expect(explainOutcome('dispensed')).toEqual({});
		expect(explainOutcome('failed', '3', 'Over Current').reason).toMatch(/short-circuit/);
		expect(explainOutcome('timeout').reasonZh).toMatch(/120/);
	});

	it('recognises "machine busy" by wording only, never by a code the table gives another meaning', () => {
		expect(isMachineBusy(MACHINE_BUSY_MESSAGE)).toBe(true);
		expect(isMachineBusy('设备正在出货，请稍后')).toBe(true);
		expect(isMachineBusy('order already delivered')).toBe(false);
		expect(isMachineBusy('pickup code not enough')).toBe(false); // a real 6035
		expect(ERROR_CODES[6035].en).toMatch(/pickup codes/);
	});

	it("the sandbox's busy code is in no table of the docs", () => {
		expect(protocol).not.toContain(String(MACHINE_BUSY_CODE));
	});

	it('maps delivery and record statuses to outcomes', () => {
		expect(outcomeOfStatus('未取货或正在出货')).toBe('pending');
		expect(outcomeOfStatus('IS_DELIVERING')).toBe('pending');
		expect(outcomeOfStatus('WAITING_PICKED_UP')).toBe('waiting');
		expect(outcomeOfStatus('出货成功')).toBe('dispensed');
		expect(outcomeOfStatus('IS_SUCCESS')).toBe('dispensed');
		expect(outcomeOfStatus('出货失败')).toBe('failed');
		expect(outcomeOfStatus('IS_FAILED')).toBe('failed');
		expect(outcomeOfStatus('出货超时')).toBe('timeout');
		expect(outcomeOfStatus('IS_TIMEOUT')).toBe('timeout');
		expect(outcomeOfStatus('something else')).toBeUndefined();
		expect(outcomeOfStatus(undefined)).toBeUndefined();
	});
});

describe('delivery twins: English status and zoned times', () => {
	it('translates the status texts and gives the China-time times their zone', () => {
		expect(deliveryTwins({ status: '出货失败', delivered_at: '2024-04-26 18:45:58' })).toEqual({ statusEn: 'Dispense failed', deliveredAtIso: '2024-04-26T18:45:58+08:00' });
		expect(deliveryTwins({ status: '出货成功', pickup_at: '2024-04-26 18:46:01' })).toEqual({ statusEn: 'Dispensed', pickupAtIso: '2024-04-26T18:46:01+08:00' });
		expect(new Date(chinaTimeToIso('2024-04-26 18:45:58') as string).toISOString()).toBe('2024-04-26T10:45:58.000Z');
	});

	it('adds nothing it does not know', () => {
		expect(deliveryTwins({ status: 'something new', delivered_at: 'yesterday' })).toEqual({});
		expect(deliveryTwins({})).toEqual({});
	});
});

describe('refund_key: one stable key per record that was not dispensed', () => {
	it('is the same for every copy of a result and fits WeChat Pay out_refund_no / Alipay out_request_no', () => {
		const key = refundKeyFor('failed', 1000, '5000');
		expect(key).toBe('dsr-1000-5000');
		expect(refundKeyFor('failed', '1000', 5000)).toBe(key); // numbers or strings: one key
		expect(refundKeyFor('timeout', 1000, 5000)).toBe(key); // failed or timed out: the same record, one refund
		expect(refundKeyFor('failed', 1000, 5001)).not.toBe(key);
		const longest = refundKeyFor('failed', '9007199254740991', '9007199254740991') as string;
		expect(longest).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
	});

	it('is null when there is nothing to refund or no valid ids', () => {
		expect(refundKeyFor('dispensed', 1000, 5000)).toBeNull();
		expect(refundKeyFor('sent', 1000, 5000)).toBeNull();
		expect(refundKeyFor('other', 1000, 5000)).toBeNull();
		expect(refundKeyFor('failed', undefined, 5000)).toBeNull();
		expect(refundKeyFor('failed', 1000, '-1')).toBeNull();
		expect(refundKeyFor('failed', 1000, '50 00')).toBeNull();
	});
});
