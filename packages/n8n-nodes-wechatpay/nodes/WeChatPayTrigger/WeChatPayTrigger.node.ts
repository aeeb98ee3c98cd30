import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { isDuplicate } from '../shared/common/dedupe';
import { alipayKeys, weChatPayKeys } from '../shared/payments/credentialTest';
import { CREDENTIAL_OF, providerProperty } from '../shared/payments/descriptions';
import { readAlipayVerifier, readWeChatPayVerifier } from '../shared/payments/credentials';
import type { Provider } from '../shared/payments/errors';
import { readAlipayNotification, readWeChatNotification, type Reading } from './readNotification';

const MAX_BODY_BYTES = 64 * 1024; // notifications are ~1–2 KB

export class DingShangPaymentNotificationTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Payment Notification Trigger',
		name: 'dingShangPaymentNotificationTrigger',
		icon: { light: 'file:payment.svg', dark: 'file:payment.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ({ weChatPay: "WeChat Pay", alipay: "Alipay" })[$parameter["provider"]] + " payment" }}',
		description: 'Starts the workflow when WeChat Pay (微信支付) or Alipay (支付宝) notifies a paid order, verified and decrypted',
		defaults: { name: 'Payment received' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Inline, not shared: n8n's credential-test-required rule reads `testedBy` from this file.
		// `hide`, not `show`: n8n's editor takes a field that `show`s credentials for the node's
		// authentication choice and hides it from the panel; the provider must stay visible.
		credentials: [
			{ name: 'weChatPayApi', required: true, testedBy: 'weChatPayKeys', displayOptions: { hide: { provider: ['alipay'] } } },
			{ name: 'alipayApi', required: true, testedBy: 'alipayKeys', displayOptions: { hide: { provider: ['weChatPay'] } } },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'payment' }],
		properties: [
			// Displayed as "Trigger On": n8n's panel then offers one action per provider (search 微信 → WeChat Pay).
			{
				...providerProperty,
				displayName: 'Trigger On',
				options: [
					{ name: 'WeChat Pay Payment 微信支付收款', value: 'weChatPay', action: 'On WeChat Pay payment 微信支付收款' },
					{ name: 'Alipay Payment 支付宝收款', value: 'alipay', action: 'On Alipay payment 支付宝收款' },
				],
				description: 'Which app your customers pay with. The credential list above follows this choice.',
				hint: 'Which app your customers pay with (微信支付 or 支付宝); pick the matching credential above',
			},
			{
				displayName:
					'Give the Production URL above to your payment set-up as the address WeChat Pay or Alipay notifies (支付结果通知地址). To know which machine and order were paid, send Create Order\'s payment attach text along with the payment — the README (Payments) shows where. 把上面的生产网址填为支付结果通知地址。',
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
				description:
					'A payment (transaction ID) notified again within this time starts no new execution. Providers retry for about a day; 0 turns it off.',
				hint: 'Minutes; 2880 = 2 days, longer than providers retry. A payment notified again runs nothing new',
			},
		],
	};

	methods = { credentialTest: { weChatPayKeys, alipayKeys } };

	// Providers take the notify URL with each payment: nothing to register. Activation checks the
	// credential, so a key that does not parse fails here (naming the field), not on a payment.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const provider = this.getNodeParameter('provider', 'weChatPay') as Provider;
				const raw = await this.getCredentials(CREDENTIAL_OF[provider]);
				try {
					if (provider === 'weChatPay') readWeChatPayVerifier(raw);
					else readAlipayVerifier(raw);
				} catch (error) {
					throw new NodeOperationError(this.getNode(), (error as Error).message, { description: 'Fix the credential field named above, then activate again. (请修正凭证中指出的字段后重新激活。)' });
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const provider = this.getNodeParameter('provider', 'weChatPay') as Provider;
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const rawBody = (req as { rawBody?: Buffer }).rawBody;
		// Each provider's acknowledgement: WeChat Pay 204 / {"code":"FAIL"}; Alipay the text "success" (else it retries ~25 h).
		const answer = (accepted: boolean, status: number, message = '') => {
			if (provider === 'alipay') res.status(status).type('text/plain').send(accepted ? 'success' : 'fail');
			else if (accepted) res.status(204).end();
			else res.status(status).json({ code: 'FAIL', message });
		};

		let reading: Reading;
		if (rawBody && rawBody.length > MAX_BODY_BYTES) {
			reading = { accept: false, status: 400, message: 'body too large for a payment notification' };
		} else {
			try {
				const raw = await this.getCredentials(CREDENTIAL_OF[provider]);
				reading =
					provider === 'weChatPay'
						? readWeChatNotification(req.headers as IDataObject, rawBody?.toString('utf8'), readWeChatPayVerifier(raw))
						: readAlipayNotification(alipayParams(rawBody, this.getBodyData()), readAlipayVerifier(raw));
			} catch (error) {
				// A credential that does not parse: refuse (the provider retries), name the field, never a value.
				reading = { accept: false, status: 500, message: (error as Error).message };
			}
		}
		if (!reading.accept) {
			answer(false, reading.status, reading.message);
			return { noWebhookResponse: true };
		}
		// Remembered before the answer, as the Delivery Result trigger does. Ignored events and re-sent
		// copies are acknowledged too, so the provider stops retrying.
		const emit = !('ignored' in reading) && !isDuplicate(this, reading.dedupeKey);
		answer(true, 200);
		return emit && 'item' in reading ? { noWebhookResponse: true, workflowData: [[{ json: reading.item }]] } : { noWebhookResponse: true };
	}
}

/** Alipay posts a form: read from the raw bytes so every value is exactly what was signed. */
function alipayParams(rawBody: Buffer | undefined, parsed: IDataObject): IDataObject {
	if (rawBody && rawBody.length > 0) return Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
	return parsed ?? {};
}
