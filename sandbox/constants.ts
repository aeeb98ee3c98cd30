/**
 * Sandbox choices where the DingShang docs are silent (see sandbox/README.md).
 */

/** `status` texts of a delivery: one table, shared with the nodes (only `delivering` is documented). */
export { DELIVERY_STATUS_TEXT } from '../nodes/shared/dingshang/protocol';

/** `fail_reason` of a delivery, and `error_msg` of the push, when the machine never reported. */
export const TIMEOUT_FAIL_REASON = 'timeout';

/** `method` of the (undocumented) push sent when an unpaid order expires. */
export const ORDER_EXPIRED_METHOD = 'order.expired';

/** Seed 003's failure example answers `code 0` with this message and empty data. */
export const UNPAID_MESSAGE = '订单未支付';

/** Demo credentials: fixed so that examples and tests can hard-code them. */
export const DEFAULT_APP_ID = 'ds0123456789abcdef';
export const DEFAULT_APP_SECRET = '5a1d0b3c9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b';
export const DEFAULT_SIGN_KEY = 'sandbox-sign-key';
export const DEFAULT_PORT = 3900;
export const DEFAULT_HOST = '127.0.0.1';

/** Platform durations in virtual time (multiplied by --time-scale in real time). */
export const DISPENSE_MIN_MS = 500;
export const DISPENSE_MAX_MS = 1000;
export const NO_REPORT_TIMEOUT_MS = 120_000;
export const ORDER_TTL_MS = 20 * 60_000;
export const CALLBACK_BACKOFF_MS = [1000, 2000, 4000];
export const CALLBACK_MAX_ATTEMPTS = 4;

/** Real-time limits. */
export const CALLBACK_TIMEOUT_MS = 5000;
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Past this we stop draining an oversized body and drop the connection. */
export const BODY_DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
