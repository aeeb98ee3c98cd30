import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Explained } from '../protocol';

export type Provider = 'weChatPay' | 'alipay';
export const PROVIDER_NAMES: Record<Provider, Explained> = { weChatPay: { en: 'WeChat Pay', zh: '微信支付' }, alipay: { en: 'Alipay', zh: '支付宝' } };

/** Refusals of WeChat Pay (`code`) and Alipay (`sub_code`), explained. Unknown codes are shown verbatim. */
export const PROVIDER_ERROR_CODES: Record<string, Explained> = {
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
};

/** The payment answered with a refusal: NodeApiError with the provider's code and message plus our explanation. */
export function providerRefusal(node: INode, provider: Provider, code: string, message: string, itemIndex?: number, httpCode?: number): NodeApiError {
	const name = PROVIDER_NAMES[provider];
	const known = PROVIDER_ERROR_CODES[code];
	const error = new NodeApiError(node, { code, message } as JsonObject, {
		message: `${name.en} refused: ${code} ${message}`.trim(),
		description: known
			? `${name.en} code ${code}: ${known.en} (${known.zh})`
			: `${name.en} answered with code ${code}, which this node does not know; its message is shown as is. (${name.zh}返回了未知错误码，原样显示其说明。)`,
		httpCode: httpCode ? String(httpCode) : undefined,
		itemIndex,
	});
	error.message = `${name.en} refused: ${code} ${message}`.trim();
	return error;
}

/**
 * No usable answer. `refundSent`: whether a refund request left during this run — if so its outcome
 * is unknown; if not, only a read failed and nothing was paid.
 */
export function unknownOutcome(node: INode, provider: Provider, what: string, refundSent: boolean, itemIndex?: number): NodeApiError {
	const name = PROVIDER_NAMES[provider];
	const description = refundSent
		? `Whether ${name.en} made the refund is unknown, and reading its state did not settle it. Run Refund → Get with the same Refund Key before anything else; the same key never pays out twice. (${name.zh}未给出可用应答，退款结果未知；请先用同一退款单号查询，同一单号不会重复退款。)`
		: `No refund request was sent: ${name.en} could not be read. Check the credential's URL and keys and the network, then run it again with the same Refund Key. (未发送退款请求：无法查询${name.zh}，请检查凭证中的地址、密钥和网络后用同一退款单号重试。)`;
	const error = new NodeApiError(node, { message: what } as JsonObject, { message: `${name.en}: ${what}`, description, itemIndex });
	error.message = `${name.en}: ${what}`;
	return error;
}

/** Bad input or credential: nothing was sent. `field` is what the merchant must fix. */
export function badInput(node: INode, message: string, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, message, {
		description: 'Fix the field named above; no request was sent. (请修正上面指出的字段；未发送任何请求。)',
		itemIndex,
	});
}
