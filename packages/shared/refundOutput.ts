import type { IDataObject } from 'n8n-workflow';

import type { Words } from './errors';
import type { RefundState } from './refunds';

/** The outcome vocabulary of refunds, shared by Create and Get. */
export type RefundOutcome = 'refunded' | 'already_refunded' | 'processing' | 'failed' | 'not_found';

const yuan = (fen: number | undefined) => (fen === undefined ? undefined : Math.round(fen) / 100);

export function outcomeOf(state: RefundState | undefined, existed: boolean): RefundOutcome {
	if (!state) return 'not_found';
	if (state.status === 'SUCCESS') return existed ? 'already_refunded' : 'refunded';
	if (state.status === 'PROCESSING') return 'processing';
	return 'failed';
}

function explain(outcome: RefundOutcome, name: Words, state: RefundState | undefined, existed: boolean): Words {
	const amount = state?.refundFen === undefined ? '' : ` ${(state.refundFen / 100).toFixed(2)}`;
	switch (outcome) {
		case 'refunded':
			return { en: `${name.en} refunded${amount} yuan to the payer.`, zh: `${name.zh}已退款${amount} 元。` };
		case 'already_refunded':
			return {
				en: `This Refund Key was already refunded${state?.refundedAt ? ` (${state.refundedAt})` : ''}; nothing was paid out again.`,
				zh: '该退款单号已退过款，本次未重复退款。',
			};
		case 'processing':
			return existed
				? { en: `${name.en} is still processing the refund requested earlier with this key; nothing new was sent.`, zh: `${name.zh}仍在处理此前用该单号发起的退款，本次未重复发起。` }
				: { en: `${name.en} accepted the refund and is processing it; check it later with Refund → Get.`, zh: `${name.zh}已受理退款，正在处理，可稍后查询。` };
		case 'failed':
			return {
				en: `${name.en} could not refund (status ${state?.providerStatus}): the money did not go back. Refund the customer another way, or in the ${name.en} merchant platform.`,
				zh: `${name.zh}退款失败（状态 ${state?.providerStatus}），款项未退回，请通过其他方式或在商户平台处理。`,
			};
		default:
			return { en: `${name.en} has no refund with this Refund Key.`, zh: `${name.zh}没有该退款单号的退款。` };
	}
}

/** One output item: the provider's facts in snake_case (as the provider names them), the outcome and why. */
export function refundItem(name: Words, outTradeNo: string, refundKey: string, state: RefundState | undefined, existed: boolean): IDataObject {
	const outcome = outcomeOf(state, existed);
	const why = explain(outcome, name, state, existed);
	const item: IDataObject = { outcome, out_trade_no: outTradeNo, refund_key: refundKey };
	if (state) {
		item.refund_id = state.refundId ?? null;
		item.refund_amount = yuan(state.refundFen) ?? null;
		if (state.totalFen !== undefined) item.total_amount = yuan(state.totalFen);
		item.provider_status = state.providerStatus;
		item.refunded_at = state.refundedAt ?? null;
	}
	item.reason = why.en;
	item.reasonZh = why.zh;
	return item;
}
