import { createHash } from 'crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * Deduplication of pushed events (delivery results, payment notifications) for the triggers:
 * senders re-push for hours, and in queue mode several webhook processes receive copies.
 */

/** What a trigger stores per remembered event: 12 base64url chars (72 bits) of its key's SHA-256. */
export function rememberedId(resultKey: string): string {
	return createHash('sha256').update(resultKey).digest('base64url').slice(0, 12);
}

/** Most results remembered for deduplication, per node; the oldest are forgotten first beyond this. */
const MAX_REMEMBERED = 2000;

/**
 * Results this process accepted, per workflow, node and mode: `id → first seen (ms)`. n8n loads
 * static data fresh for each request and saves it after answering, overwriting the whole value —
 * so two copies arriving together both look new in the store, and in queue mode one webhook
 * process's save can overwrite another's. This memory closes the first gap inside a process and,
 * merged into every save, writes back what another process's save dropped.
 */
const accepted = new Map<string, Map<string, number>>();

/**
 * Whether this result was seen within the window; if not, it is remembered at once — in this
 * process and in the node's static data (written with this request, never batched: a result
 * that was answered is in the store unless another process overwrote it).
 * Static data holds one string, one line "<base-36 ms> <12-char hash of the result key>" per
 * result, oldest first: a plain string because n8n watches static data through proxies, hashed
 * because the whole string is rewritten each time.
 */
export function isDuplicate(ctx: IWebhookFunctions, resultKey: string): boolean {
	const windowMinutes = Number(ctx.getNodeParameter('dedupeWindowMinutes', 1440));
	if (!(windowMinutes > 0)) return false;
	const id = rememberedId(resultKey);
	const now = Date.now();
	const cutoff = now - windowMinutes * 60_000;

	const nodeKey = `${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id}|${ctx.getMode()}`;
	const mine = accepted.get(nodeKey) ?? new Map<string, number>();
	accepted.set(nodeKey, mine);
	for (const [key, at] of mine) if (at < cutoff) mine.delete(key); // oldest first: insertion order
	if (mine.has(id)) return true;

	const staticData = ctx.getWorkflowStaticData('node');
	const stored = new Map<string, number>();
	const text = typeof staticData.seenResults === 'string' ? staticData.seenResults : '';
	for (const line of text === '' ? [] : text.split('\n')) {
		const at = parseInt(line, 36);
		if (at >= cutoff) stored.set(line.slice(line.indexOf(' ') + 1), at);
	}
	if (stored.has(id)) {
		mine.set(id, stored.get(id) as number);
		return true;
	}

	mine.set(id, now);
	while (mine.size > MAX_REMEMBERED) mine.delete(mine.keys().next().value as string);
	for (const [key, at] of mine) if (!stored.has(key)) stored.set(key, at);
	const lines = [...stored].sort((a, b) => a[1] - b[1]).map(([key, at]) => `${at.toString(36)} ${key}`);
	staticData.seenResults = lines.slice(-MAX_REMEMBERED).join('\n');
	return false;
}
