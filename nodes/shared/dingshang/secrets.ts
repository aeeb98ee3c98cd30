/**
 * The Delivery Result trigger's secret travels in Notify URLs as `?token=…`. Outputs, errors and
 * logs show such URLs with the value masked: executions are visible to every user of a workflow.
 */
export function maskUrlTokens(text: string): string {
	return text.replace(/([?&]token=)[^&\s"'#]+/gi, '$1***');
}
