import http from 'http';
import type { AddressInfo } from 'net';

import { startPaymentSandbox, type RunningPaymentSandbox } from '../../sandbox/payments';
import { RESEND_SECONDS } from '../../sandbox/payments/notify';

/**
 * The payment sandbox pushes an unanswered notification again on each provider's real schedule
 * (WeChat Pay: not 2xx; Alipay: body not "success"), in sandbox time, and stops when it is answered
 * or the schedule is over. Real HTTP to a loopback receiver.
 */

/** Per path: how many pushes arrived, and what to answer to push n (1-based). */
const arrivals = new Map<string, number>();
const answers = new Map<string, (n: number) => { status: number; body: string }>();
const receiver = http.createServer((req, res) => {
	req.resume();
	req.on('end', () => {
		const path = req.url ?? '/';
		const n = (arrivals.get(path) ?? 0) + 1;
		arrivals.set(path, n);
		const answer = answers.get(path)?.(n) ?? { status: 500, body: 'no' };
		res.writeHead(answer.status, { 'Content-Type': 'text/plain' });
		res.end(answer.body);
	});
});
let receiverUrl = '';
let seq = 0;

beforeAll(async () => {
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
	receiver.closeAllConnections();
	await new Promise((resolve) => receiver.close(resolve));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (path: string) => arrivals.get(path) ?? 0;

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
	for (const end = Date.now() + ms; !check(); await sleep(5)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

async function pay(sb: RunningPaymentSandbox, provider: 'weChatPay' | 'alipay', path: string, answer: (n: number) => { status: number; body: string }): Promise<string> {
	answers.set(path, answer);
	const outTradeNo = `RS${Date.now().toString(36)}${seq++}`;
	await sb.pay({ provider, out_trade_no: outTradeNo, amount: '3.50', notify_url: `${receiverUrl}${path}` });
	return outTradeNo;
}

/** Sandbox-time offsets (seconds) of a payment's pushes from its first. */
function offsets(sb: RunningPaymentSandbox, outTradeNo: string): number[] {
	const payment = (sb.state().payments as Array<{ out_trade_no: string; notifications: Array<{ at: string }> }>).find((p) => p.out_trade_no === outTradeNo);
	const times = (payment?.notifications ?? []).map((n) => Date.parse(n.at));
	return times.map((t) => (t - times[0]) / 1000);
}

const cumulative = (gaps: readonly number[]) => gaps.map((_, i) => gaps.slice(0, i + 1).reduce((a, b) => a + b, 0));

describe('notification re-sends, step by step (clock pushed forward)', () => {
	let sb: RunningPaymentSandbox;
	beforeEach(async () => (sb = await startPaymentSandbox({ port: 0 })));
	afterEach(async () => await sb.close());

	it('WeChat Pay: a receiver that never answers 2xx gets each re-send exactly when due (15 s, 15 s, 30 s, 3 min … 6 h), 16 pushes, then nothing more', async () => {
		const path = '/wx-never';
		const outTradeNo = await pay(sb, 'weChatPay', path, () => ({ status: 500, body: 'busy' }));
		expect(count(path)).toBe(1);
		expect(RESEND_SECONDS.weChatPay).toEqual([15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]);
		for (const [i, gap] of RESEND_SECONDS.weChatPay.entries()) {
			sb.advanceClock(gap - 1);
			await sleep(40);
			expect(count(path)).toBe(i + 1); // one second early: nothing yet
			sb.advanceClock(1);
			await until(() => count(path) === i + 2, `re-send ${i + 1}`);
		}
		await sleep(50);
		expect(sb.pendingResends()).toBe(0);
		sb.advanceClock(7 * 86400);
		await sleep(100);
		expect(count(path)).toBe(16);
		const seen = offsets(sb, outTradeNo);
		cumulative(RESEND_SECONDS.weChatPay).forEach((due, i) => expect(Math.abs(seen[i + 1] - due)).toBeLessThan(1));
	});

	it('Alipay: a 200 whose body is not "success" is unanswered; the 4th push answered "success" ends it — 4 pushes at 0, 4 min, 14 min, 24 min', async () => {
		const path = '/ali-fail3';
		const outTradeNo = await pay(sb, 'alipay', path, (n) => ({ status: 200, body: n <= 3 ? 'fail' : 'success' }));
		for (const [i, gap] of RESEND_SECONDS.alipay.slice(0, 3).entries()) {
			sb.advanceClock(gap - 1);
			await sleep(40);
			expect(count(path)).toBe(i + 1);
			sb.advanceClock(1);
			await until(() => count(path) === i + 2, `re-send ${i + 1}`);
		}
		await sleep(50);
		expect(sb.pendingResends()).toBe(0);
		sb.advanceClock(2 * 86400);
		await sleep(100);
		expect(count(path)).toBe(4);
		expect(offsets(sb, outTradeNo).map(Math.round)).toEqual([0, 240, 840, 1440]);
	});

	it('WeChat Pay: any 2xx is an answer (no re-send); a manual push that is answered stops the schedule', async () => {
		const answered = '/wx-204';
		await pay(sb, 'weChatPay', answered, () => ({ status: 204, body: '' }));
		const manual = '/wx-manual';
		const outTradeNo = await pay(sb, 'weChatPay', manual, (n) => (n === 1 ? { status: 503, body: '' } : { status: 200, body: '' }));
		expect(sb.pendingResends()).toBe(1);
		const again = await fetch(`${sb.baseUrl}/__payments/notify-again`, { method: 'POST', body: JSON.stringify({ provider: 'weChatPay', out_trade_no: outTradeNo }) });
		expect(((await again.json()) as { notify_status: number }).notify_status).toBe(200);
		sb.advanceClock(2 * 86400);
		await sleep(100);
		expect([count(answered), count(manual)]).toEqual([1, 2]);
	});

	it('POST /__payments/clock moves the clock and sends the re-sends then due', async () => {
		const path = '/wx-admin-clock';
		await pay(sb, 'weChatPay', path, () => ({ status: 500, body: '' }));
		const res = await fetch(`${sb.baseUrl}/__payments/clock`, { method: 'POST', body: JSON.stringify({ advance_seconds: 60 }) });
		expect(res.status).toBe(200);
		await until(() => count(path) === 4, 'the three re-sends due within 60 s');
		await sleep(50);
		expect(count(path)).toBe(4);
	});

	it('close() ends the schedule: nothing is pushed after it', async () => {
		const path = '/wx-closed';
		await pay(sb, 'weChatPay', path, () => ({ status: 500, body: '' }));
		await sb.close();
		sb.advanceClock(86400);
		await sleep(100);
		expect(count(path)).toBe(1);
	});
});

describe('notification re-sends, time-scaled (one sandbox day in about 4.5 s)', () => {
	it('both schedules run to their end on their own: 16 WeChat Pay pushes over ~24 h, 8 Alipay pushes over ~24.4 h, then nothing', async () => {
		const scale = 0.00005;
		const sb = await startPaymentSandbox({ port: 0, timeScale: scale });
		try {
			const wx = await pay(sb, 'weChatPay', '/scaled-wx', () => ({ status: 500, body: '' }));
			const ali = await pay(sb, 'alipay', '/scaled-ali', () => ({ status: 200, body: 'fail' }));
			const wxTotal = cumulative(RESEND_SECONDS.weChatPay).at(-1) as number;
			const aliTotal = cumulative(RESEND_SECONDS.alipay).at(-1) as number;
			expect([wxTotal, aliTotal]).toEqual([86640, 87840]);
			await until(() => count('/scaled-wx') === 16 && count('/scaled-ali') === 8, 'both schedules', 15_000);
			await sleep(1000); // 20,000 s of sandbox time: no push beyond the schedules
			expect([count('/scaled-wx'), count('/scaled-ali')]).toEqual([16, 8]);
			expect(sb.pendingResends()).toBe(0);
			for (const [id, total, gaps] of [
				[wx, wxTotal, RESEND_SECONDS.weChatPay],
				[ali, aliTotal, RESEND_SECONDS.alipay],
			] as const) {
				const seen = offsets(sb, id);
				expect(seen).toHaveLength(gaps.length + 1);
				// Planned from the schedule, so lateness never adds up: the last push lands near the total
				// (the first push's own time is taken a moment after its plan's anchor: 2 ms real slack).
				expect(seen.at(-1)).toBeGreaterThanOrEqual(total - 2 / scale / 1000);
				expect(seen.at(-1)).toBeLessThan(total + 500 / scale / 1000);
				seen.slice(1).forEach((t, i) => expect(t).toBeGreaterThan(seen[i]));
			}
		} finally {
			await sb.close();
		}
	}, 30_000);
});
