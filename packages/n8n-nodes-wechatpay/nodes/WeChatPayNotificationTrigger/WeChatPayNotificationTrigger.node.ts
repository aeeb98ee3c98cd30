import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { isDuplicate } from '../shared/common/dedupe';
import { weChatPayKeys } from '../shared/wechatpay/credentialTest';
import { CREDENTIAL_TYPE, readWeChatPayVerifier } from '../shared/wechatpay/credentials';
import { readWeChatNotification, type Reading } from './readNotification';

const MAX_BODY_BYTES = 64 * 1024; // notifications are ~1–2 KB

export class WeChatPayNotificationTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeChat Pay Notification Trigger',
		name: 'weChatPayNotificationTrigger',
		icon: { light: 'file:wechatpay.svg', dark: 'file:wechatpay.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'On payment',
		description: 'Starts the workflow when WeChat Pay notifies a payment, verified and decrypted',
		defaults: { name: 'WeChat Pay Notification Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Inline: n8n's credential-test-required rule reads `testedBy` from this file.
		credentials: [{ name: 'weChatPayApi', required: true, displayName: 'WeChat Pay API', testedBy: 'weChatPayKeys' }],
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
					'Give the Production URL above to WeChat Pay as the payment notification address (notify_url). Whatever you send as attach comes back here; "machine_no=…&order_id=…" comes back as an object.',
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
				description: 'A payment (transaction_id) notified again within this time starts no new execution. WeChat Pay retries for about a day; 0 turns it off.',
				hint: 'Minutes; 2880 = 2 days, longer than WeChat Pay retries. A payment notified again runs nothing new',
			},
		],
	};

	methods = { credentialTest: { weChatPayKeys } };

	// WeChat Pay takes the notify URL with each payment: nothing to register. Activation checks the
	// credential, so a key that does not parse fails here (naming the field), not on a payment.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				try {
					readWeChatPayVerifier(await this.getCredentials(CREDENTIAL_TYPE));
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
				const verifier = readWeChatPayVerifier(await this.getCredentials(CREDENTIAL_TYPE));
				reading = readWeChatNotification(req.headers as IDataObject, rawBody?.toString('utf8'), verifier);
			} catch (error) {
				// A credential that does not parse: refuse (WeChat Pay retries), name the field, never a value.
				reading = { accept: false, status: 500, message: (error as Error).message };
			}
		}
		// WeChat Pay's acknowledgement: 204, or {"code":"FAIL"} and it retries.
		if (!reading.accept) {
			res.status(reading.status).json({ code: 'FAIL', message: reading.message });
			return { noWebhookResponse: true };
		}
		// Remembered before the answer. Ignored events and re-sent copies are acknowledged too, so
		// WeChat Pay stops retrying.
		const emit = !('ignored' in reading) && !isDuplicate(this, reading.dedupeKey);
		res.status(204).end();
		return emit && 'item' in reading ? { noWebhookResponse: true, workflowData: [[{ json: reading.item }]] } : { noWebhookResponse: true };
	}
}
