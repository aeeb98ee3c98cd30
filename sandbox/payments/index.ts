
import type { UnpaidTrade } from './alipay';
import { AlipayBillLinks } from './alipayBill';
import { pay, refundView, stateView, setRefundStatus, type PayInput, type RefundView } from './admin';
import { ALIPAY_APP_ID, loadKeys, spkiPem, WECHAT_MCH_ID, type PaymentKeys } from './keys';
import { Ledger, type WeChatRefundStatus } from './ledger';
import { Notifier, type NotifyResult } from './notify';
import { PlainRefunds, type PlainRefund } from './plainRefunds';
import { VirtualClock } from '../clock';
import { closer, listen } from '../httpServer';
import { createPaymentServer } from './server';
import { WeChatBills, type WeChatBillFault } from './weChatBill';

/**
 * Local stand-ins for WeChat Pay API v3 refunds and the Alipay gateway, on one loopback server,
 * built on the WeChat Pay and Alipay packages' own signing code so the sandbox signs and verifies exactly as our client does —
 * plus the plain, unsigned refund API the examples without a provider credential call (plainRefunds.ts).
 */

export type { PayInput, RefundView } from './admin';
export { PaymentInputError } from './admin';
export type { PaymentKeys } from './keys';
export type { Provider, WeChatRefundStatus } from './ledger';
export type { NotifyResult } from './notify';
export type { PlainRefund } from './plainRefunds';

export interface PaymentSandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** One line per request and notification; never keys, signatures or the APIv3 key. Default: silent. */
	log?: (line: string) => void;
	/** Keys from an earlier run's keys() to keep the same credentials; missing ones are generated. */
	keys?: Partial<PaymentKeys>;
	/** Virtual time runs at 1/timeScale of real speed (0.01 → 100× faster), as the DingShang sandbox's. Default 1. */
	timeScale?: number;
}

/** The fields of our weChatPayApi credential. */
export interface WeChatPayCredentialFields {
	baseUrl: string;
	mchId: string;
	serialNo: string;
	privateKey: string;
	apiV3Key: string;
	publicKeyId: string;
	publicKey: string;
}

/** The fields of our alipayApi credential. */
export interface AlipayCredentialFields {
	gatewayUrl: string;
	appId: string;
	privateKey: string;
	alipayPublicKey: string;
}

export interface RunningPaymentSandbox {
	baseUrl: string;
	weChatPay: WeChatPayCredentialFields;
	alipay: AlipayCredentialFields;
	/** Records a payment and awaits its notification push (as POST /__payments/pay); throws PaymentInputError on bad input. */
	pay(input: PayInput): Promise<NotifyResult>;
	refunds(): RefundView[];
	/** The plain refund API's refunds (POST /__payments/refunds), each key with its `attempts`. */
	plainRefunds(): PlainRefund[];
	/** As GET /__payments/state. */
	state(): Record<string, unknown>;
	/** Status of new WeChat refunds, or of one refund when outRefundNo is given. */
	setWeChatRefundStatus(status: WeChatRefundStatus, outRefundNo?: string): void;
	reset(): void;
	/** The next `count` refund calls are processed but their answers lost (as POST /__payments/lose-refund-answers). */
	loseRefundAnswers(count: number): void;
	/** The next `count` WeChat Pay refund calls are refused (429 FREQUENCY_LIMITED) before anything is processed (as POST /__payments/refuse-refunds). */
	refuseRefunds(count: number): void;
	/** Every private key and id, to pass back as opts.keys. */
	keys(): PaymentKeys;
	/** The sandbox's clock (pay times, bills, URL expiry); `advance` jumps it forward (as POST /__payments/clock). */
	clock: VirtualClock;
	/** Jumps the clock forward and sends what is then due (notification re-sends), as POST /__payments/clock. */
	advanceClock(seconds: number): void;
	/** Notification re-sends still planned (unanswered payments whose schedule is not over). */
	pendingResends(): number;
	/** The next WeChat Pay bill download goes wrong this way (as POST /__payments/wechat-bill-fault). */
	weChatBillFault(fault: WeChatBillFault): void;
	close(): Promise<void>;
}

export async function startPaymentSandbox(opts: PaymentSandboxOptions = {}): Promise<RunningPaymentSandbox> {
	const port = opts.port ?? 0;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${port}`);
	const host = opts.host ?? '127.0.0.1';
	const log = opts.log ?? (() => undefined);
	const keys = loadKeys(opts.keys);
	const clock = new VirtualClock(opts.timeScale ?? 1);
	const ledger = new Ledger(() => new Date(clock.now()));
	const notifier = new Notifier(keys, log, clock);
	const weChatBills = new WeChatBills(ledger, clock);
	const plainRefunds = new PlainRefunds();
	const alipayBillLinks = new AlipayBillLinks();
	const unpaidAlipayTrades = new Map<string, UnpaidTrade>();
	const faults = { loseRefundAnswers: 0, slowRefunds: { count: 0, ms: 0 }, refuseRefunds: 0 };
	const reset = (): void => {
		ledger.reset();
		notifier.reset();
		weChatBills.reset();
		plainRefunds.reset();
		alipayBillLinks.reset();
		unpaidAlipayTrades.clear();
		faults.loseRefundAnswers = 0;
		faults.slowRefunds = { count: 0, ms: 0 };
		faults.refuseRefunds = 0;
		log('payments reset');
	};
	const ctx = { keys, ledger, notifier, plainRefunds, reset, log, faults, clock, alipayBillLinks, unpaidAlipayTrades, weChatBills };
	const { server, sockets } = createPaymentServer(ctx);

	const baseUrl = await listen(server, port, host);
	const close = closer(server, sockets, () => notifier.close());

	return {
		baseUrl,
		weChatPay: {
			baseUrl,
			mchId: WECHAT_MCH_ID,
			serialNo: keys.pems.serialNo,
			privateKey: keys.merchantPrivate.export({ type: 'pkcs8', format: 'pem' }).toString(),
			apiV3Key: keys.pems.apiV3Key,
			publicKeyId: keys.pems.publicKeyId,
			publicKey: spkiPem(keys.platformPrivate),
		},
		alipay: {
			gatewayUrl: `${baseUrl}/gateway.do`,
			appId: ALIPAY_APP_ID,
			privateKey: keys.appPrivate.export({ type: 'pkcs8', format: 'pem' }).toString(),
			alipayPublicKey: spkiPem(keys.alipayPrivate),
		},
		pay: (input) => pay(ctx, input),
		refunds: () => ledger.refunds().map(refundView),
		plainRefunds: () => plainRefunds.list(),
		state: () => stateView(ledger, plainRefunds),
		setWeChatRefundStatus: (status, outRefundNo) => void setRefundStatus(ledger, { status, out_refund_no: outRefundNo }),
		reset,
		loseRefundAnswers: (count) => void (faults.loseRefundAnswers = count),
		refuseRefunds: (count) => void (faults.refuseRefunds = count),
		keys: () => ({ ...keys.pems }),
		clock,
		advanceClock: (seconds) => {
			clock.advance(seconds);
			notifier.clockMoved();
		},
		pendingResends: () => notifier.pendingResends(),
		weChatBillFault: (fault) => void (weChatBills.fault = fault),
		close,
	};
}
