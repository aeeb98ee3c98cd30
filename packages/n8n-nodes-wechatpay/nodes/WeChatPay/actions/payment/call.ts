import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { withMessageZh } from '../../../shared/common/messageZh';
import { providerRefusal } from '../../../shared/payments/errors';
import type { Reply } from '../../../shared/payments/refunds';
import { WECHAT_PAY_PAYMENT_WORDS } from '../../../shared/wechatpay/words';

/** A payment call's answer, or the node's error: WeChat Pay's refusal explained, or no usable answer. */
export function answerOf(ctx: IExecuteFunctions, reply: Reply<IDataObject>, what: string, itemIndex: number): IDataObject {
	if (reply.kind === 'answer') return reply.value;
	if (reply.kind === 'refused') throw providerRefusal(ctx.getNode(), WECHAT_PAY_PAYMENT_WORDS, reply.code, reply.message, itemIndex, reply.status);
	const message = `WeChat Pay: ${what} got no usable answer (${reply.why})`;
	const error = new NodeApiError(ctx.getNode(), { message }, {
		message,
		description: `Check the credential's Base URL and keys and the network, then run it again: ${what} is safe to repeat.`,
		itemIndex,
	});
	error.message = message;
	throw withMessageZh(error, '微信支付未给出可用应答，请检查凭证中的地址、密钥和网络后重试（此操作可安全重复）。');
}
