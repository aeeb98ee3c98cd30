/**
 * Facts of the DingShang Open API shared by the nodes, the trigger and the sandbox
 * (see PROTOCOL.md). Tables live here once; everything else looks things up here.
 */

import { chinaTimeToIso } from '../common/chinaTime';

export const API_PREFIX = '/api/openapi/v1';
export const DEFAULT_BASE_URL = 'https://www.awish.vip';
export const DELIVERY_METHOD = 'device.delivery.put';
export const CALLBACK_METHOD = 'device.delivery.response';

/**
 * The docs give no code for "machine is dispensing, try later". The sandbox answers with this
 * code, which no table of the docs uses (6035 is "pickup code not enough"), and this message; the
 * nodes recognise the condition by its wording only (see isMachineBusy), never by a code.
 */
export const MACHINE_BUSY_CODE = 6090;
export const MACHINE_BUSY_MESSAGE = '设备正在出货中，请稍后再试 (machine is dispensing)';

export interface Explained {
	en: string;
	zh: string;
}

/** Platform codes → plain explanations. Unknown codes are shown verbatim with their code. */
export const ERROR_CODES: Record<number, Explained> = {
	404: { en: 'The delivery was not found. Check the Delivery ID.', zh: '出货记录不存在' },
	1000: { en: 'The platform reported an internal error. Try again later.', zh: '平台内部错误' },
	4000: { en: 'The App ID header is missing. Fill it in the credential.', zh: 'Appid 为空' },
	4001: { en: 'The App ID is not valid. Copy it again from the DingShang dashboard.', zh: 'Appid 无效' },
	4003: { en: 'The platform rejected a parameter as invalid (see the message for which one).', zh: '参数无效' },
	4004: { en: 'The record was not found. Check the Order ID and Record ID.', zh: '记录不存在' },
	4006: {
		en: 'The payload signature is invalid. Check the Signing Key in the credential (it is the merchant key from the developer centre, not the App Secret).',
		zh: '签名无效，请检查商户密钥',
	},
	4008: { en: 'The machine is offline. Check its power and network, then retry.', zh: '设备离线' },
	4009: { en: 'The App Secret is wrong. Copy it again from the DingShang dashboard.', zh: 'AppSecret 无效' },
	6021: { en: 'The request method field is wrong (internal error of this node, please report it).', zh: 'method 参数错误' },
	6025: { en: 'The machine is offline. Check its power and network, then retry.', zh: '设备离线' },
	6026: { en: 'No machine with this number belongs to your account. Check the Machine No.', zh: '设备不存在' },
	6034: { en: 'This record was already dispensed; it was not dispensed again.', zh: '订单已出货' },
	6029: { en: 'The expiry time (expired_at) is not valid. Use "YYYY-MM-DD HH:mm:ss" in China time.', zh: 'expired_at 无效' },
	6030: { en: 'This pickup code already exists.', zh: '取货码已存在' },
	6031: { en: 'Pickup codes are not switched on for this machine. Switch them on in the DingShang dashboard.', zh: '取货码功能未开启' },
	6032: { en: 'The pickup code has expired.', zh: '取货码已过期' },
	6033: { en: 'The pickup code was already used.', zh: '取货码已使用' },
	6035: { en: 'Not enough pickup codes left.', zh: '取货码不足' },
	6038: { en: 'The cabinet does not exist on this machine.', zh: '货柜不存在' },
	[MACHINE_BUSY_CODE]: {
		en: 'The machine is still dispensing a previous item and refused the command.',
		zh: '设备正在出货中',
	},
	6040: { en: 'An order with this Trade ID already exists. Use a new, unique Trade ID.', zh: '交易号重复' },
	6042: { en: 'The order expired (unpaid for 20 minutes) and can no longer be updated or dispensed.', zh: '订单已过期' },
	6043: { en: 'The order is not in a state that allows this change (for example it is already closed or refunded).', zh: '订单状态无效' },
	6045: { en: 'The product was not found on this machine. Check the Product ID.', zh: '商品不存在' },
	6046: { en: 'The product is off sale on this machine.', zh: '商品已下架' },
	6047: { en: 'Not enough stock on the machine for this quantity.', zh: '库存不足' },
	6049: { en: 'The order is already paid.', zh: '订单已支付' },
	6041: { en: 'The Trade ID is empty.', zh: '交易号为空' },
	6054: { en: 'The order is not paid yet, so it cannot be dispensed. Update it to Paid first.', zh: '订单未支付' },
	6056: { en: 'The product is not for sale.', zh: '商品不可售' },
	10008: { en: 'The App ID or App Secret header is missing. Fill both in the credential.', zh: '缺少 Appid 或 AppSecret' },
	10014: { en: 'The App ID is not valid. Copy it again from the DingShang dashboard.', zh: 'Appid 无效' },
	10023: { en: 'Pickup codes are not switched on for this machine. Switch them on in the DingShang dashboard.', zh: '取货码功能未开启' },
	10025: { en: 'The pickup code was already used.', zh: '取货码已使用' },
	30001: { en: 'No machines belong to this account.', zh: '没有设备' },
	30002: { en: 'The machine is offline. Check its power and network, then retry.', zh: '设备离线' },
	40005: { en: 'The order expired (unpaid for 20 minutes).', zh: '订单已过期' },
	40006: { en: 'The order status is not valid for this change.', zh: '订单状态无效' },
	60002: { en: 'The platform refused the request (older code 60002, whose meaning the docs do not give); see its message.', zh: '平台拒绝（旧版错误码 60002，文档未说明含义）' },
	60003: { en: 'Not enough stock in this channel for a test dispense.', zh: '货道库存不足' },
	80002: { en: 'The pickup code was not found.', zh: '取货码不存在' },
};

/** Codes meaning the credential itself was refused: a header (App ID / App Secret) or the sign (Signing Key). */
export const CREDENTIAL_REFUSED_CODES = [4000, 4001, 4006, 4009, 10008, 10014];

/** Plain explanation of a platform answer, or undefined when the code is unknown. */
export function explainCode(code: number): Explained | undefined {
	return ERROR_CODES[code];
}

/** "Machine busy" is undocumented: recognised by its wording only; a code could mean something else (6035). */
export function isMachineBusy(message: string | undefined): boolean {
	return /出货中|正在出货|设备忙|is dispensing|machine busy|device busy/i.test(message ?? '');
}

/** floor_status (channel state) of a delivery result. */
export const FLOOR_STATUS: Record<string, Explained> = {
	'0': { en: 'The channel does not exist', zh: '货道不存在' },
	'1': { en: 'Channel normal', zh: '货道正常' },
	'2': { en: 'Product stuck in the channel', zh: '商品卡货' },
	'3': { en: 'Motor fault', zh: '电机故障' },
	'47': { en: 'Serial-port timeout (no answer from the machine board)', zh: '串口超时' },
};

/** error_msg values of a failed delivery, with what they mean for the merchant. */
export const FAIL_REASONS: Record<string, Explained> = {
	'Slot Invalid': { en: 'Invalid channel', zh: '货道无效' },
	'Load No Current': {
		en: 'No current in the motor/lock loop: a plug is loose or a wire is broken',
		zh: '电机/锁回路无电流：插头松动或线路断开',
	},
	'Over Current': { en: 'Motor short-circuit (over current)', zh: '电机短路（过流）' },
	'Feedback Error': { en: 'The motor turns but sends no feedback signal', zh: '电机转动但无反馈信号' },
	'Dlv Detect Error': { en: 'The drop sensor is blocked or faulty', zh: '掉货检测传感器被遮挡或故障' },
	'Goods are Stuck': { en: 'The drop sensor saw no product: the product is stuck', zh: '掉货检测未检测到商品：卡货' },
	'Slot Type Error': { en: 'Channel type mismatch', zh: '货道类型不匹配' },
	'Slave Comm Error': { en: 'The slave board is unreachable', zh: '与从板通信失败' },
	'Lift Comm Error': { en: 'The lift board timed out', zh: '升降板通信超时' },
	'Lift Limit Up': { en: 'Lift upper-limit fault', zh: '升降机上限位故障' },
	'Lift Goods': { en: 'An item is on the lift; cannot dispense', zh: '升降台上有商品，无法出货' },
	'Lift Limit Dw': { en: 'Lift lower-limit switch fault', zh: '升降机下限位开关故障' },
	'VerMo break': { en: 'The lift motor has no power', zh: '升降电机断电' },
	'VerMo short': { en: 'The lift motor is shorted or overloaded', zh: '升降电机短路/过载' },
	'VerMo Encode': { en: 'Lift motor encoder fault', zh: '升降电机编码器故障' },
};

export const TIMEOUT_REASON: Explained = {
	en: 'The machine did not report a result within 120 seconds; the platform reset the dispense. Check the machine before refunding or retrying.',
	zh: '设备 120 秒内未反馈出货结果，平台已重置出货。请先检查设备再决定退款或重试。',
};

/**
 * Explains a failed or timed-out dispense from its floor status and error message.
 * Unknown messages are passed through verbatim so nothing is hidden.
 */
export function explainFailure(floorStatus?: string | number, errorMsg?: string): Explained {
	const reason = errorMsg ? FAIL_REASONS[errorMsg.trim()] : undefined;
	const floor = floorStatus === undefined || floorStatus === '' ? undefined : FLOOR_STATUS[String(floorStatus)];
	if (reason && floor && String(floorStatus) !== '1') {
		return { en: `${reason.en} (${floor.en})`, zh: `${reason.zh}（${floor.zh}）` };
	}
	if (reason) return reason;
	if (errorMsg) {
		const suffix = floor ? ` (${floor.en})` : '';
		return { en: `Machine reported: ${errorMsg}${suffix}`, zh: `设备报告：${errorMsg}${floor ? `（${floor.zh}）` : ''}` };
	}
	if (floor && String(floorStatus) !== '1') return floor;
	return { en: 'The machine reported a failure without a reason', zh: '设备报告出货失败，未给出原因' };
}

/** Order status numbers for Update Order (seed 000). */
export const ORDER_STATUS_OPTIONS = [
	{ value: 1, name: 'Paid', platform: 'SUCCESS' },
	{ value: 2, name: 'Refund', platform: 'REFUND' },
	{ value: 3, name: 'Closed', platform: 'CLOSED' },
	{ value: 4, name: 'Revoked', platform: 'REVOKED' },
	{ value: 5, name: 'User Paying', platform: 'USERPAYING' },
	{ value: 6, name: 'Payment Failed', platform: 'PAYERROR' },
] as const;

export type RecordStatus =
	| 'WAITING_PICKED_UP'
	| 'IS_DELIVERING'
	| 'IS_SUCCESS'
	| 'IS_FAILED'
	| 'IS_TIMEOUT'
	| 'IS_PICKED_UP'
	| 'IS_REFUND';

/** 8 digits; longer for the platform's special merchants (the docs' examples use 14 and 16). */
export const MACHINE_NO_PATTERN = /^\d{8,}$/;

/**
 * `trade_id` as merchants have it: 1–32 visible ASCII characters. The docs *prefer* a digit string
 * of 20–32; the vendor's own mini-program sends `Date.now()` (13 digits) to production.
 */
export const TRADE_ID_PATTERN = /^[\x21-\x7e]{1,32}$/;

/**
 * Delivery `status` texts. The docs show only "未取货或正在出货"; the other three are the
 * sandbox's choice (documented in sandbox/README.md). Enum-style and English forms are accepted too.
 */
export const DELIVERY_STATUS_TEXT = {
	delivering: '未取货或正在出货',
	success: '出货成功',
	failed: '出货失败',
	timeout: '出货超时',
} as const;

/** English twins of the platform's Chinese delivery status texts. */
const DELIVERY_STATUS_EN: Record<string, string> = {
	[DELIVERY_STATUS_TEXT.delivering]: 'Not picked up yet, or dispensing',
	[DELIVERY_STATUS_TEXT.success]: 'Dispensed',
	[DELIVERY_STATUS_TEXT.failed]: 'Dispense failed',
	[DELIVERY_STATUS_TEXT.timeout]: 'Dispense timed out',
};

/** `machine_type` of Get Machine, in English and Chinese. */
export const MACHINE_TYPES: Record<string, Explained> = {
	'1': { en: 'Vending machine', zh: '售卖机' },
	'2': { en: 'Amusement machine', zh: '娱乐机' },
	'3': { en: 'Claw machine', zh: '娃娃机' },
	'4': { en: 'Borrowing locker', zh: '借用柜' },
	'5': { en: 'Return locker', zh: '归还柜' },
	'6': { en: 'Grid locker', zh: '格子柜' },
};

/**
 * Own fields beside a delivery's platform fields: `statusEn` (the Chinese `status` in English) and
 * `deliveredAtIso` / `pickupAtIso` (the China-time times with their zone). Absent when unknown.
 */
export function deliveryTwins(delivery: Record<string, unknown>): Record<string, string> {
	const twins: Record<string, string> = {};
	const statusEn = typeof delivery.status === 'string' ? DELIVERY_STATUS_EN[delivery.status.trim()] : undefined;
	if (statusEn) twins.statusEn = statusEn;
	const deliveredAt = chinaTimeToIso(delivery.delivered_at);
	if (deliveredAt) twins.deliveredAtIso = deliveredAt;
	const pickupAt = chinaTimeToIso(delivery.pickup_at);
	if (pickupAt) twins.pickupAtIso = pickupAt;
	return twins;
}

export type DispenseOutcome = 'dispensed' | 'failed' | 'timeout';

/** Final outcome of a delivery or record status, `pending` while dispensing, undefined if unknown. */
export function outcomeOfStatus(status: unknown): DispenseOutcome | 'pending' | 'waiting' | undefined {
	const text = typeof status === 'string' ? status.trim() : '';
	if (text === '') return undefined;
	if (text === 'WAITING_PICKED_UP' || text === '未取货') return 'waiting';
	if (text === 'IS_DELIVERING' || text === DELIVERY_STATUS_TEXT.delivering || /正在出货/.test(text)) return 'pending';
	if (['IS_SUCCESS', 'IS_PICKED_UP'].includes(text) || /出货成功|已取货|success/i.test(text)) return 'dispensed';
	if (text === 'IS_TIMEOUT' || /超时|timeout/i.test(text)) return 'timeout';
	if (text === 'IS_FAILED' || /失败|fail/i.test(text)) return 'failed';
	return undefined;
}

/** `reason` / `reasonZh` fields for an outcome; empty for success. Used by the nodes and the trigger. */
export function explainOutcome(
	outcome: string,
	floorStatus?: string | number,
	errorMsg?: string,
): { reason?: string; reasonZh?: string } {
	if (outcome === 'failed') {
		const why = explainFailure(floorStatus, errorMsg);
		return { reason: why.en, reasonZh: why.zh };
	}
	if (outcome === 'timeout') return { reason: TIMEOUT_REASON.en, reasonZh: TIMEOUT_REASON.zh };
	return {};
}

/**
 * The refund idempotency key of a record that was not dispensed (outcome failed or timeout), else
 * null. It depends only on the order and record, so every copy of one result — a re-pushed
 * callback, Dispense's item, a retried execution on another worker — carries the same key: given
 * to the payment provider as WeChat Pay `out_refund_no` / Alipay `out_request_no`, a second refund
 * of the record is refused by the provider itself. ≤ 64 characters of [A-Za-z0-9_-].
 */
export function refundKeyFor(outcome: unknown, orderId: unknown, recordId: unknown): string | null {
	if (outcome !== 'failed' && outcome !== 'timeout') return null;
	const id = (value: unknown) => (/^[1-9]\d{0,15}$/.test(String(value)) ? String(value) : undefined);
	const order = id(orderId);
	const record = id(recordId);
	return order && record ? `dsr-${order}-${record}` : null;
}
