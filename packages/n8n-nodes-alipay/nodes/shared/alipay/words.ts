import type { ProviderWords } from '../payments/errors';

/** Alipay's name and refusal codes (`sub_code`), explained. */
export const ALIPAY_WORDS: ProviderWords = {
	name: { en: 'Alipay', zh: '支付宝' },
	codes: {
		'ACQ.TRADE_NOT_EXIST': { en: 'Alipay knows no payment with this Out Trade No.', zh: '交易不存在，请检查商户订单号' },
		'ACQ.TRADE_STATUS_ERROR': { en: 'The payment is not in a state that can be refunded (unpaid or closed).', zh: '交易状态不合法' },
		'ACQ.SELLER_BALANCE_NOT_ENOUGH': { en: 'Your Alipay balance is not enough for this refund. Top up, then refund again with the same Refund Key.', zh: '卖家余额不足' },
		'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': { en: 'The refund is more than what is left to refund on this payment.', zh: '退款金额超限' },
		'ACQ.REFUND_FEE_ERROR': { en: 'The refund amount is not valid.', zh: '退款金额无效' },
		'ACQ.DISCORDANT_REPEAT_REQUEST': { en: 'This Refund Key was already used with other values (amount or payment). A Refund Key stands for one refund.', zh: '退款请求号重复但参数不一致' },
		'ACQ.TRADE_HAS_FINISHED': { en: 'The payment is finished and can no longer be refunded.', zh: '交易已完结' },
		'ACQ.SYSTEM_ERROR': { en: 'Alipay had an internal error; whether the refund was made is unknown. Check it with Refund → Get before anything else.', zh: '支付宝系统错误，退款结果未知，请先查询' },
		'ACQ.INVALID_PARAMETER': { en: 'Alipay refused a parameter (see its message).', zh: '参数无效' },
		'isv.invalid-signature': { en: 'Alipay did not accept the signature. Check the App Private Key in the credential (and that its public key is uploaded to Alipay).', zh: '验签出错，请检查应用私钥' },
		'isv.invalid-app-id': { en: 'Alipay knows no app with this App ID.', zh: 'APPID 无效' },
		'isp.bill_not_exist': { en: 'Alipay has no bill for this day (yet): a day\'s bill is ready after 10:00 China time the next day.', zh: '账单不存在：日账单在次日 10:00 后生成' },
		'isv.invalid-arguments': { en: 'Alipay refused the arguments (see its message), e.g. a Bill Date that is not a past day.', zh: '参数不合法' },
	},
};

/** trade.close: the same status error means something else than for a refund. */
export const ALIPAY_CLOSE_WORDS: ProviderWords = {
	...ALIPAY_WORDS,
	codes: {
		...ALIPAY_WORDS.codes,
		'ACQ.TRADE_STATUS_ERROR': { en: 'Alipay closes only a trade waiting for the buyer; this one is paid or closed already. A paid trade is refunded, not closed.', zh: '仅等待买家付款的交易可关闭；该交易已付款或已关闭，已付款请退款' },
		'ACQ.TRADE_NOT_EXIST': { en: 'Alipay knows no trade with this number: the buyer never opened it, so there is nothing to close.', zh: '交易不存在，买家未打开付款页，无需关闭' },
	},
};
