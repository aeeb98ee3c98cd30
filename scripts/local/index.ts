/** The local stack: `startStack` and what its users need beside it. */
export { DEMO_OWNER, HttpError, N8nClient } from './client';
export {
	CREDENTIAL_ID,
	PAYMENT_CREDENTIAL_ID,
	PAYMENT_WEBHOOK_ID,
	TRIGGER_WEBHOOK_ID,
	WORKFLOW,
	loadExamples,
	n8nApiCredential,
	updateExamples,
	type ExampleVars,
	type PlatformCredential,
} from './examples';
export { e2eMajors, firstJsonObject, n8nEnv, n8nUrl, type N8nMajor, type N8nSettings } from './n8n';
export { CHROMIUM_ARGS, launchChromium } from './browser';
export { ALIPAY, EXAMPLES_DIR, PACKAGE, PACKAGES, REPO_ROOT, WECHAT_PAY } from './paths';
export { freePort, freePorts, randomToken, run, sleep, tail } from './processes';
export { SHORT_QUEUE_LOCKS_ENV } from './queue';
export { chromiumPath, ensureChromium } from './services';
export { startCliStack, startStack, type Stack, type StackOptions } from './stack';
