import type { IDataObject } from 'n8n-workflow';

/**
 * The merchant's own text that travels with a payment (WeChat Pay `attach`, Alipay
 * `passback_params`). DingShang's Create Order gives it as a query string,
 * "machine_no=10000001&order_id=1234": the trigger outputs such text as an object, so the next
 * nodes read `attach.machine_no`. Any other text is output as it is.
 */
export function parseAttach(value: unknown): IDataObject | string | undefined {
	if (typeof value !== 'string') return undefined;
	let text = value.trim();
	// Alipay asks for passback_params URL-encoded and gives it back as sent: decode that once.
	if (!text.includes('=') && /%3D/i.test(text)) {
		try {
			text = decodeURIComponent(text);
		} catch {
			return value;
		}
	}
	if (!/^[^=&\s{}[\]"]+=[^&\s]*(&[^=&\s]+=[^&\s]*)*$/.test(text)) return value;
	return Object.fromEntries(new URLSearchParams(text));
}
