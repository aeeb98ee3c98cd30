import { InputError, NOTHING_SENT_ZH } from './input';

/**
 * Chinese explanations of errors, kept apart from the (English-only) error itself: an error item's
 * `messageZh` carries it as output data, for merchants to forward to WeCom / DingTalk.
 */
const explanations = new WeakMap<Error, string>();

export function withMessageZh<E extends Error>(error: E, zh: string): E {
	explanations.set(error, zh);
	return error;
}

export function messageZhOf(error: unknown): string | undefined {
	if (error instanceof InputError) return NOTHING_SENT_ZH;
	return error instanceof Error ? explanations.get(error) : undefined;
}
