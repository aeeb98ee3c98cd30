import type { IHookFunctions } from 'n8n-workflow';

import type { DingShangCredentials } from '../shared/dingshang/transport';
import { toNodeError } from '../shared/dingshang/failures';
import { getDingShangCredentials, probeCredential } from '../shared/dingshang/transport';

/**
 * The trigger's webhook lifecycle. DingShang has no webhook registration (each order carries its
 * own notify_url), so nothing is created remotely. What activation can do for the merchant is prove
 * the credential against the platform, so a wrong one fails activation instead of the first order.
 * "Exists" means: this production URL was activated with this credential and the check passed —
 * remembered in the node's static data, so a restart of n8n does not depend on the platform.
 */

function activationKey(ctx: IHookFunctions): string {
	const credentialId = ctx.getNode().credentials?.dingShangApi?.id ?? '';
	return `${ctx.getNodeWebhookUrl('default') ?? ''}|${credentialId}`;
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	return this.getWorkflowStaticData('node').activatedFor === activationKey(this);
}

export async function create(this: IHookFunctions): Promise<boolean> {
	let creds: DingShangCredentials;
	try {
		creds = await getDingShangCredentials(this);
	} catch (error) {
		throw toNodeError(this, error, undefined, '(checked when the workflow is published)');
	}
	const refused = await probeCredential(this, creds);
	if (refused) {
		throw toNodeError(this, refused, undefined, '— the credential was checked against DingShang when activating this trigger, and it did not pass.');
	}
	this.getWorkflowStaticData('node').activatedFor = activationKey(this);
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	delete this.getWorkflowStaticData('node').activatedFor;
	return true;
}
