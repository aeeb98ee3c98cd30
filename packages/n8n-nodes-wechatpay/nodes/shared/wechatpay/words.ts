import type { ProviderWords } from '../payments/errors';

/** WeChat Pay's name and refusal codes (`code`), explained. */
export const WECHAT_PAY_WORDS: ProviderWords = {
	name: { en: 'WeChat Pay', zh: '微信支付' },
	codes: {
		NOT_ENOUGH: { en: 'Your merchant account has not enough balance for this refund. Top up the refund balance, then refund again with the same Refund Key.', zh: '商户账户余额不足，请充值后用同一退款单号重试' },
		RESOURCE_NOT_EXISTS: { en: 'WeChat Pay knows no payment (or refund) with this number. Check Out Trade No.', zh: '订单或退款不存在，请检查商户订单号' },
		INVALID_REQUEST: { en: 'WeChat Pay refused the refund for the rules of this payment (e.g. more than was paid, or the payment is too old).', zh: '请求不符合业务规则（如退款金额超过支付金额或订单已超过退款期限）' },
		PARAM_ERROR: { en: 'WeChat Pay refused a parameter (see its message).', zh: '参数错误' },
		SIGN_ERROR: { en: 'WeChat Pay did not accept the signature. Check the Merchant Private Key and Certificate Serial No in the credential.', zh: '签名错误，请检查商户私钥和证书序列号' },
		NO_AUTH: { en: 'This merchant account may not refund. Check its permissions in the WeChat Pay merchant platform.', zh: '商户无退款权限' },
		MCH_NOT_EXISTS: { en: 'WeChat Pay knows no merchant with this Merchant ID.', zh: '商户号不存在' },
		USER_ACCOUNT_ABNORMAL: { en: 'The payer\'s account is abnormal; WeChat Pay cannot refund to it. Refund the customer another way.', zh: '用户账户异常，无法原路退款' },
		FREQUENCY_LIMITED: { en: 'Too many requests; WeChat Pay asks to slow down. Run the refund again later (same Refund Key).', zh: '请求频率超限，请稍后用同一退款单号重试' },
		SYSTEM_ERROR: { en: 'WeChat Pay had an internal error; whether the refund was made is unknown. Check it with Refund → Get before anything else.', zh: '微信支付系统错误，退款结果未知，请先查询' },
	},
};

/** Refusals of Bill → Get, explained (the refund explanations would mislead here). */
export const WECHAT_PAY_BILL_WORDS: ProviderWords = {
	name: WECHAT_PAY_WORDS.name,
	codes: {
		...WECHAT_PAY_WORDS.codes,
		STATEMENT_CREATING: { en: 'The bill of this day is not ready yet: WeChat Pay makes the previous day\'s bill after 10:00 China time. Run it again later.', zh: '账单生成中：微信支付在次日10点后生成前一日账单，请稍后再试' },
		NO_STATEMENT_EXIST: { en: 'WeChat Pay has no bill for this day.', zh: '该日期没有账单' },
		PARAM_ERROR: { en: 'WeChat Pay refused the bill date or type (a date within the last 3 months, not today or later; type ALL, SUCCESS or REFUND).', zh: '参数错误：账单日期须为三个月内且早于今天，类型为 ALL、SUCCESS 或 REFUND' },
		INVALID_REQUEST: { en: 'WeChat Pay refused the bill request (see its message).', zh: '请求不符合要求，请查看微信支付的说明' },
	},
};

/** Refusals of Payment → Get / Close, explained. */
export const WECHAT_PAY_PAYMENT_WORDS: ProviderWords = {
	name: WECHAT_PAY_WORDS.name,
	codes: {
		...WECHAT_PAY_WORDS.codes,
		ORDER_NOT_EXIST: { en: 'WeChat Pay knows no order with this number. Check Out Trade No / Transaction ID.', zh: '订单不存在，请检查商户订单号或微信支付订单号' },
		RESOURCE_NOT_EXISTS: { en: 'WeChat Pay knows no order with this number. Check Out Trade No / Transaction ID.', zh: '订单不存在，请检查商户订单号或微信支付订单号' },
		ORDERPAID: { en: 'The order is paid, so it cannot be closed. To give the money back, refund it (Refund → Create).', zh: '订单已支付，不能关闭；如需退还款项，请退款' },
		ORDERCLOSED: { en: 'The order is closed already.', zh: '订单已关闭' },
		INVALID_REQUEST: { en: 'WeChat Pay refused the request for the state of this order (see its message).', zh: '订单状态不允许此操作，请查看微信支付的说明' },
	},
};
