import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as activation from './activation';
import { checkBody, ipAllowed, tokenMatches } from './verifyCallback';
import { isDuplicate } from '../shared/common/dedupe';
import { classifyCallback, dedupeKey, legacyItem, malformedDeliveryResult, normalizeCallback } from './normalizeCallback';

const MAX_BODY_BYTES = 64 * 1024; // callbacks are a few hundred bytes; anything bigger is not DingShang

export class DingShangDeliveryResultTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingShang Delivery Result Trigger',
		name: 'dingShangDeliveryResultTrigger',
		icon: { light: 'file:dingshang.svg', dark: 'file:dingshang.dark.svg' },
		group: ['trigger'],
		// 1.1: the platform's field names (order_id, record_id, …) and outcome, as Put Delivery outputs them.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: 'Delivery Result',
		description: 'Starts the workflow when a DingShang vending machine reports a dispense result: dispensed, failed or timed out',
		defaults: { name: 'DingShang Delivery Result' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingShangApi', required: true, displayName: 'DingShang API' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'delivery-result' }],
		properties: [
			{
				displayName:
					'DingShang sends each dispense result to the address given with the order. Copy the Production URL above, add ?token= and your Secret Token, and paste it as Create Order\'s Notify URL; publishing registers nothing with DingShang.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				hint: 'Which results start the workflow; a refund workflow takes Dispense Failed or Timed Out',
				name: 'events',
				type: 'options',
				default: 'all',
				options: [
					{ name: 'Any Delivery Result', value: 'all', description: 'Every push, including ones other than dispense results (e.g. order expired)' },
					{ name: 'Dispense Failed or Timed Out', value: 'failed', description: 'Only failed or timed-out dispenses — the ones to refund' },
					{ name: 'Dispensed', value: 'succeeded', description: 'Only successful dispenses' },
				],
				description: 'Which callbacks start the workflow; the others are answered and ignored',
			},
			{
				displayName: 'Authentication',
				hint: 'Secret token in the URL: DingShang does not sign its callbacks',
				name: 'authentication',
				type: 'options',
				default: 'urlToken',
				options: [
					{ name: 'Secret Token in URL', value: 'urlToken', description: 'Callbacks must carry ?token=&lt;Secret Token&gt;' },
					{ name: 'None', value: 'none', description: 'Accept callbacks without a token (not recommended)' },
				],
				description: 'DingShang does not sign callbacks, so a secret token in the URL keeps forged results out',
			},
			{
				displayName: 'Secret Token',
				hint: 'A long random text; add it to the Notify URL as ?token=…',
				name: 'secretToken',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				description: 'A long random string only you and DingShang know; add it to the Notify URL as ?token=…',
				displayOptions: { show: { authentication: ['urlToken'] } },
			},
			{
				displayName: 'IP Allowlist',
				hint: 'Optional: only these addresses may call, comma-separated; empty allows all',
				name: 'ipAllowlist',
				type: 'string',
				default: '',
				placeholder: '203.0.113.10, 10.0.0.0/8',
				description: 'Comma-separated IPv4 addresses, IPv4 CIDR ranges or IPv6 addresses allowed to call. Empty allows all.',
			},
			{
				displayName: 'Require Signature',
				hint: 'Off: most callbacks carry no signature. On: unsigned ones are refused',
				name: 'requireSignature',
				type: 'boolean',
				default: false,
				description:
					'Whether to reject callbacks without a sign. A sign that is present is always checked with the credential\'s Signing Key.',
			},
			{
				displayName: 'Deduplication Window (Minutes)',
				hint: 'Minutes; 1440 = one day. The same result received again within it runs nothing new',
				name: 'dedupeWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1440,
				description: 'The same result (order, record, status) received again within this time starts no new execution. 0 turns it off.',
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await activation.checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await activation.create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await activation.remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		// The node writes every answer itself: with responseMode "onReceived" n8n 1.x would otherwise
		// send its `responseData` default literally instead of our small JSON body.
		const answer = (status: number, body: IDataObject, workflowData?: IWebhookResponseData['workflowData']) => {
			res.status(status).json(body);
			return workflowData ? { noWebhookResponse: true, workflowData } : { noWebhookResponse: true };
		};
		const reject = (status: number, error: string) => answer(status, { received: false, error });

		const allowlist = this.getNodeParameter('ipAllowlist', '') as string;
		try {
			if (!ipAllowed(allowlist, req.ip ?? req.socket?.remoteAddress)) return reject(403, 'IP address not allowed');
		} catch (error) {
			return reject(500, (error as Error).message);
		}
		if (this.getNodeParameter('authentication', 'urlToken') === 'urlToken') {
			const expected = this.getNodeParameter('secretToken', '') as string;
			if (!tokenMatches(expected, (this.getQueryData() as IDataObject).token)) return reject(401, 'Missing or wrong token');
		}

		const parsed = readBody(req.headers['content-type'], this.getBodyData(), (req as { rawBody?: Buffer }).rawBody);
		if ('error' in parsed) return reject(parsed.status, parsed.error);

		const requireSignature = this.getNodeParameter('requireSignature', false) as boolean;
		let signingKey: string | undefined;
		if (parsed.body.sign !== undefined || parsed.body.payload !== undefined) {
			const creds = await this.getCredentials('dingShangApi').catch(() => undefined);
			signingKey = typeof creds?.signingKey === 'string' ? creds.signingKey : undefined;
		}
		const checked = checkBody(parsed.body, signingKey, requireSignature);
		if (!checked.ok) return reject(checked.status, checked.error);
		const raw = checked.fields as IDataObject;
		const malformed = malformedDeliveryResult(raw);
		if (malformed) return reject(400, malformed);

		const event = classifyCallback(raw);
		const wanted = this.getNodeParameter('events', 'all') as string;
		const emit =
			wanted === 'all' ||
			(wanted === 'succeeded' && event === 'delivery.succeeded') ||
			(wanted === 'failed' && (event === 'delivery.failed' || event === 'delivery.timeout'));
		if (!emit) return answer(200, { received: true, emitted: false });

		if (isDuplicate(this, dedupeKey(raw))) return answer(200, { received: true, duplicate: true });

		// Extra parameters of the Notify URL (Create Order adds machine_no), never the token.
		const { token: _token, ...query } = this.getQueryData() as IDataObject;
		const item = normalizeCallback(raw, new Date(), query);
		if (checked.signature === 'valid') item.signatureVerified = true;
		return answer(200, { received: true }, [[{ json: this.getNode().typeVersion >= 1.1 ? item : legacyItem(item) }]]);
	}
}

/** JSON and form bodies are parsed by n8n; a raw JSON body is parsed here. Anything else is refused. */
function readBody(
	contentTypeHeader: string | undefined,
	parsedBody: unknown,
	rawBody: Buffer | undefined,
): { body: IDataObject } | { status: 400 | 413 | 415; error: string } {
	const contentType = (contentTypeHeader ?? '').split(';')[0].trim().toLowerCase();
	const isJson = contentType === '' || contentType === 'application/json' || contentType.endsWith('+json');
	if (!isJson && contentType !== 'application/x-www-form-urlencoded') {
		return { status: 415, error: `Unsupported content type "${contentType}"; send application/json or form data` };
	}
	if (rawBody && rawBody.length > MAX_BODY_BYTES) return { status: 413, error: 'Body too large for a delivery result' };
	const isObject = (v: unknown): v is IDataObject => !!v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
	if (isObject(parsedBody) && Object.keys(parsedBody).length > 0) return { body: parsedBody };
	if (isJson && rawBody && rawBody.length > 0) {
		let value: unknown;
		try {
			value = JSON.parse(rawBody.toString('utf8'));
		} catch {
			return { status: 400, error: 'Body is not valid JSON' };
		}
		return isObject(value) ? { body: value } : { status: 400, error: 'Body must be a JSON object' };
	}
	if (Array.isArray(parsedBody)) return { status: 400, error: 'Body must be a JSON object' };
	return { status: 400, error: 'Empty body' };
}
