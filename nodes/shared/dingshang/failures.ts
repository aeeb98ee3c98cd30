import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { InputError, NOTHING_SENT, NOTHING_SENT_ZH } from '../common/input';
import { explainCode } from './protocol';

/**
 * Why a request did not succeed. `platform` is a definite answer from DingShang; `unknown` means
 * the request may or may not have been processed (timeout, reset, 5xx page, garbled answer);
 * `notSent` means it certainly never reached the platform; `config` means bad input, nothing sent.
 * "Never re-send after an unknown outcome" depends on this kind, so it travels with the failure
 * up to the node's boundary, where `toNodeError` turns it into n8n's NodeApiError/NodeOperationError.
 */
export type FailureKind = 'platform' | 'unknown' | 'notSent' | 'config';

export interface FailureDetails {
	code?: number;
	platformMessage?: string;
	httpStatus?: number;
	cause?: string;
	/** The envelope's `data` of a refusal: usually empty, but 10025 (pickup code used) names the order. */
	data?: unknown;
}

export class DingShangFailure extends Error {
	constructor(
		readonly kind: FailureKind,
		message: string,
		readonly details: FailureDetails = {},
	) {
		super(message);
		this.name = 'DingShangFailure';
	}
}

/** Messages the platform sends with `code 0` that still mean failure, mapped to their code. */
const MESSAGE_CODES: Record<string, number> = { 订单未支付: 6054 };

/** Failures behind the n8n errors made by `toNodeError` (read back by `failureOf`). */
const failures = new WeakMap<Error, DingShangFailure>();

/** The classified failure behind an error, whether still ours or already converted for n8n. */
export function failureOf(error: unknown): DingShangFailure | undefined {
	if (error instanceof DingShangFailure) return error;
	return error instanceof Error ? failures.get(error) : undefined;
}

/** The platform code behind a failure, including code-0 refusals known by their message. */
export function failureCode(error: unknown): number | undefined {
	const failure = failureOf(error);
	if (!failure) return undefined;
	return failure.details.code ?? MESSAGE_CODES[failure.details.platformMessage ?? ''];
}

const NOT_SENT = { en: 'The request never reached DingShang. Check the Base URL and the network.', zh: '请求未到达鼎商云，请检查 Base URL 和网络。' };
const UNKNOWN = {
	en: 'DingShang did not give a usable answer, so the result of this request is unknown.',
	zh: '鼎商云未给出可用的应答，此请求的结果未知。',
};

/** The plain explanation of a failure: English for n8n's error, Chinese for the output's `messageZh`. */
function explain(failure: DingShangFailure): { en: string; zh: string } {
	const code = failureCode(failure);
	if (failure.kind === 'platform' || code !== undefined) {
		const explained = code !== undefined ? explainCode(code) : undefined;
		// The code leads: n8n shows only the description in some places (e.g. an activation error).
		return explained
			? { en: `DingShang code ${code}: ${explained.en}`, zh: `鼎商云错误码 ${code}：${explained.zh}` }
			: {
					en: `DingShang answered with code ${failure.details.code ?? '?'}, which this node does not know. The platform's message is shown as is.`,
					zh: `鼎商云返回了未知错误码 ${failure.details.code ?? '?'}，请查看平台原文。`,
				};
	}
	if (failure.kind === 'config') return { en: NOTHING_SENT, zh: NOTHING_SENT_ZH };
	return failure.kind === 'notSent' ? NOT_SENT : UNKNOWN;
}

/** The Chinese explanation of an error, for an error item's `messageZh` (output data). */
export function failureMessageZh(error: unknown): string | undefined {
	if (error instanceof InputError) return NOTHING_SENT_ZH;
	const failure = failureOf(error);
	return failure ? explain(failure).zh : undefined;
}

/**
 * The error that leaves a node: bad input → NodeOperationError, anything else → NodeApiError with
 * the platform code, its message and a plain explanation (Chinese: `failureMessageZh`). n8n's own errors pass through.
 * `note` is added to the message (e.g. which records were already handled).
 */
export function toNodeError(
	ctx: { getNode(): INode },
	error: unknown,
	itemIndex?: number,
	note?: string,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (note) error.message += ` ${note}`;
		return error;
	}
	const failure =
		error instanceof DingShangFailure
			? error
			: new DingShangFailure(error instanceof InputError ? 'config' : 'unknown', (error as Error)?.message ?? String(error));
	const message = note ? `${failure.message} ${note}` : failure.message;
	const description = explain(failure).en;
	let nodeError: NodeApiError | NodeOperationError;
	if (failure.kind === 'config') {
		nodeError = new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
	} else {
		const response: JsonObject = {
			code: failure.details.code ?? null,
			message: failure.details.platformMessage ?? failure.message,
		};
		nodeError = new NodeApiError(ctx.getNode(), response, {
			message,
			description,
			httpCode: failure.details.httpStatus ? String(failure.details.httpStatus) : undefined,
			itemIndex,
		});
		// NodeApiError swaps a message that mentions ECONNRESET & co. for a generic sentence; ours says
		// what happened to the command (e.g. "NOT sent again"), so it stays.
		nodeError.message = message;
	}
	failures.set(nodeError, failure);
	return nodeError;
}
