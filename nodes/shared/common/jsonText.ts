/**
 * Signatures cover text exactly as sent (Alipay's answer node) and n8n prints JSON among log lines
 * (`n8n execute`): both need an object cut out of text as it is, not re-serialised.
 */

/** The exact text of the JSON object that starts at `start` (strings and nesting respected). */
export function objectText(text: string, start: number): string | undefined {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{') depth++;
		else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
	}
	return undefined;
}
