// Public API of the package for users' Code nodes and for tests: the signing helpers only.
export { signParams, encodePayload, decodePayload, verifyParams } from './nodes/shared/dingshang/signing';
