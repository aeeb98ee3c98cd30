/**
 * Lint: eslint-plugin-n8n-nodes-base (community rule sets for package.json, nodes, credentials)
 * plus @n8n/eslint-plugin-community-nodes 0.10.0 — the newest version whose peer range
 * (eslint >= 9, no n8n-workflow 2.x requirement) fits our n8n 1.123 / n8n-workflow 1.120 pin.
 */
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const { n8nCommunityNodesPlugin } = require('@n8n/eslint-plugin-community-nodes');
const tsParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');

const communityRecommended = n8nCommunityNodesPlugin.configs.recommended;

module.exports = [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.n8n-local/**', '.tmp/**'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.community.rules,
			'n8n-nodes-base/community-package-json-name-still-default': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// "Only applicable to nodes in the main repository" (rule docs); community packages link a URL.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nNodesBase.configs.nodes.rules,
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'index.ts', 'package.json'],
		languageOptions: { parser: tsParser },
		plugins: communityRecommended.plugins,
		rules: communityRecommended.rules,
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
	},
];
