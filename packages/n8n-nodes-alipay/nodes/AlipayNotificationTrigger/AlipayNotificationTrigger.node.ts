import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { isDuplicate } from '../shared/common/dedupe';
import { alipayKeys } from '../shared/alipay/credentialTest';
import { CREDENTIAL_TYPE, readAlipayVerifier } from '../shared/alipay/credentials';
import { readAlipayNotification, type Reading } from './readNotification';

const MAX_BODY_BYTES = 64 * 1024; // notifications are ~1–2 KB

export class AlipayNotificationTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Alipay Notification Trigger',
		name: 'alipayNotificationTrigger',
		icon: { light: 'file:alipay.svg', dark: 'file:alipay.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'On payment',
		description: 'Starts the workflow when Alipay notifies a payment, its signature verified',
		defaults: { name: 'Alipay Notification Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Inline: n8n's credential-test-required rule reads `testedBy` from this file.
		credentials: [{ name: 'alipayApi', required: true, displayName: 'Alipay API', testedBy: 'alipayKeys' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'payment' }],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Payment Succeeded', value: 'paymentSucceeded', action: 'On payment succeeded' }],
				default: 'paymentSucceeded',
			},
			{
				displayName:
					'Give the Production URL above to Alipay as the payment notification address (notify_url). Whatever you send as passback_params comes back here; "machine_no=…&order_id=…" comes back as an object.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Deduplication Window (Minutes)',
				name: 'dedupeWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 2880,
				description: 'A payment (trade_no) notified again within this time starts no new execution. Alipay retries for about 25 hours; 0 turns it off.',
				hint: 'Minutes; 2880 = 2 days, longer than Alipay retries. A payment notified again runs nothing new',
			},
		],
	};

	methods = { credentialTest: { alipayKeys } };

	// Alipay takes the notify URL with each payment: nothing to register. Activation checks the
	// credential, so a key that does not parse fails here (naming the field), not on a payment.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				try {
					readAlipayVerifier(await this.getCredentials(CREDENTIAL_TYPE));
				} catch (error) {
					throw new NodeOperationError(this.getNode(), (error as Error).message, { description: 'Fix the credential field named above, then publish again.' });
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const rawBody = (req as { rawBody?: Buffer }).rawBody;
		let reading: Reading;
		if (rawBody && rawBody.length > MAX_BODY_BYTES) {
			reading = { accept: false, status: 400, message: 'body too large for a payment notification' };
		} else {
			try {
				const verifier = readAlipayVerifier(await this.getCredentials(CREDENTIAL_TYPE));
				reading = readAlipayNotification(alipayParams(rawBody, this.getBodyData()), verifier);
			} catch (error) {
				// A credential that does not parse: refuse (Alipay retries), name the field, never a value.
				reading = { accept: false, status: 500, message: (error as Error).message };
			}
		}
		// Alipay's acknowledgement: the text "success"; anything else and it retries for ~25 h.
		if (!reading.accept) {
			res.status(reading.status).type('text/plain').send('fail');
			return { noWebhookResponse: true };
		}
		// Remembered before the answer. Ignored events and re-sent copies are acknowledged too, so
		// Alipay stops retrying.
		const emit = !('ignored' in reading) && !isDuplicate(this, reading.dedupeKey);
		res.status(200).type('text/plain').send('success');
		return emit && 'item' in reading ? { noWebhookResponse: true, workflowData: [[{ json: reading.item }]] } : { noWebhookResponse: true };
	}
}

/** Alipay posts a form: read from the raw bytes so every value is exactly what was signed. */
function alipayParams(rawBody: Buffer | undefined, parsed: IDataObject): IDataObject {
	if (rawBody && rawBody.length > 0) return Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
	return parsed ?? {};
}
