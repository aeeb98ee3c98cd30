/** Tests run the TypeScript sources through ts-jest (type-checking is done once by `npm run typecheck`). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test', '<rootDir>/packages/n8n-nodes-wechatpay/test', '<rootDir>/packages/n8n-nodes-alipay/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
	},
	// ESM-only p-retry (required by n8n-core's @langchain/core) → CommonJS stub, wherever npm puts it.
	moduleNameMapper: { '^p-retry$': '<rootDir>/test/helpers/n8n/pRetryStub.ts' },
	testTimeout: 60000,
	maxWorkers: 2,
};
