import type { FinishOutcome } from '../shared/dingshang/finishPayment';

/**
 * Finishing one payment lives in the client layer (shared/dingshang/finishPayment.ts), shared with
 * Vending's Finish Payment; this trigger only routes its outcomes. `later` is no output: the
 * execution is looked at again on the next check.
 */
export { finishPayment, type FinishEnv } from '../shared/dingshang/finishPayment';

/** Output 0 "Finished", 1 "Refund Due" (the WeChat Pay / Alipay refund node), 2 "Needs You". */
export const OUTPUT_OF: Record<Exclude<FinishOutcome, 'later'>, 0 | 1 | 2> = {
	dispensed_late: 0,
	already_dispensed: 0,
	already_refunded: 0,
	refund_due: 1,
	needs_person: 2,
};
