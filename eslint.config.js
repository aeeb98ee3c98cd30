/**
 * Lint: the same rules n8n's verification scanner applies (scripts/scan.mjs runs the scanner
 * itself): @n8n/eslint-plugin-community-nodes (recommended) plus eslint-plugin-n8n-nodes-base's
 * community, credentials and nodes sets. Like the scanner, inline `eslint-disable` comments are
 * not honoured (noInlineConfig): a rule is met in the code or it fails.
 */
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const { n8nCommunityNodesPlugin } = require('@n8n/eslint-plugin-community-nodes');
const tsParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');

const communityRecommended = n8nCommunityNodesPlugin.configs.recommended;

module.exports = [
	{ ignores: ['dist/**', '**/node_modules/**', 'coverage/**', '.n8n-local/**', '.tmp/**', 'scripts/n8n-*/**', 'scripts/scanner/**', 'packages/*/dist/**', 'packages/*/nodes/shared/common/**', 'packages/*/nodes/shared/payments/**', 'packages/common/**'] },
	{ linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' } },
	{
		files: ['package.json', 'packages/*/package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.community.rules,
			'n8n-nodes-base/community-package-json-name-still-default': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts', 'packages/*/credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// As in the scanner: not valid for community nodes; the community plugin's password rule is used instead.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts', 'packages/*/nodes/**/*.ts', 'packages/shared/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// As in the scanner: NodeConnectionTypes instead of "main"; API maximums are valid.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'index.ts', 'package.json', 'packages/*/credentials/**/*.ts', 'packages/*/nodes/**/*.ts', 'packages/shared/**/*.ts', 'packages/*/package.json'],
		languageOptions: { parser: tsParser },
		plugins: communityRecommended.plugins,
		rules: {
			...communityRecommended.rules,
			'no-console': 'error',
			// A name heuristic: "signingKey" holds the merchant key that signs dispense commands, a secret.
			// The scanner lists it as a warning (never an error); the README explains it.
			'@n8n/community-nodes/credential-unnecessary-password': 'off',
		},
	},
	{
		files: ['package.json', 'packages/*/package.json'],
		languageOptions: { parser: jsoncParser },
	},
];
