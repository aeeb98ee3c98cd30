import type { Json } from './sandboxClient';

/** The output items (json) of one node in an execution's run data, as n8n's API returns it. */
export function nodeOutput(runData: Json, node: string, output = 0): Json[] {
	return (runData?.[node]?.[0]?.data?.main?.[output] ?? []).map((item: Json) => item.json);
}
