import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { withMessageZh } from '../common/messageZh';

/** A provider's name and refusal codes, in English and Chinese (each package has its own table). */
export interface Words {
	en: string;
	zh: string;
}

export interface ProviderWords {
	name: Words;
	/** Refusal codes explained; unknown codes are shown verbatim. */
	codes: Record<string, Words>;
}

/** The provider answered with a refusal: NodeApiError with its code and message plus our explanation. */
export function providerRefusal(node: INode, provider: ProviderWords, code: string, message: string, itemIndex?: number, httpCode?: number): NodeApiError {
	const { name } = provider;
	const known = provider.codes[code];
	const error = new NodeApiError(node, { code, message } as JsonObject, {
		message: `${name.en} refused: ${code} ${message}`.trim(),
		description: known
			? `${name.en} code ${code}: ${known.en}`
			: `${name.en} answered with code ${code}, which this node does not know; its message is shown as is.`,
		httpCode: httpCode ? String(httpCode) : undefined,
		itemIndex,
	});
	error.message = `${name.en} refused: ${code} ${message}`.trim();
	return withMessageZh(error, known ? `${name.zh}错误码 ${code}：${known.zh}` : `${name.zh}返回了未知错误码 ${code}，原样显示其说明。`);
}

/**
 * No usable answer. `refundSent`: whether a refund request left during this run — if so its outcome
 * is unknown; if not, only a read failed and nothing was paid.
 */
export function unknownOutcome(node: INode, provider: ProviderWords, what: string, refundSent: boolean, itemIndex?: number): NodeApiError {
	const { name } = provider;
	const description = refundSent
		? `Whether ${name.en} made the refund is unknown, and reading its state did not settle it. Run Refund → Get with the same Refund Key before anything else; the same key never pays out twice.`
		: `No refund request was sent: ${name.en} could not be read. Check the credential's URL and keys and the network, then run it again with the same Refund Key.`;
	const zh = refundSent
		? `${name.zh}未给出可用应答，退款结果未知；请先用同一退款单号查询，同一单号不会重复退款。`
		: `未发送退款请求：无法查询${name.zh}，请检查凭证中的地址、密钥和网络后用同一退款单号重试。`;
	const error = new NodeApiError(node, { message: what } as JsonObject, { message: `${name.en}: ${what}`, description, itemIndex });
	error.message = `${name.en}: ${what}`;
	return withMessageZh(error, zh);
}
