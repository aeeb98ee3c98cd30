/**
 * CSV as providers write their bills: one record a line, RFC 4180 quoting within a line. Bills
 * mix CSV with comment or summary lines, so callers split the text into lines (`csvLines`) and
 * decide per line; each caller cleans its fields (Alipay pads them with a tab, WeChat Pay
 * prefixes them with a backtick).
 */

/** The lines of a text ("\r\n" or "\n"), without a last empty line. */
export function csvLines(text: string): string[] {
	const lines = text.split(/\r?\n/);
	if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	return lines;
}

/** The fields of one CSV line. */
export function csvFields(line: string): string[] {
	const fields: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (quoted) {
			if (c === '"' && line[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"' && field.trim() === '') {
			quoted = true;
			field = '';
		} else if (c === ',') {
			fields.push(field);
			field = '';
		} else field += c;
	}
	fields.push(field);
	return fields;
}

/** A field written the CSV way: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
	return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
