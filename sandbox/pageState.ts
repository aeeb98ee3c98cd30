import { maskUrlTokens } from '../nodes/shared/dingshang/secrets';

/** The state part of the sandbox page: plain HTML tables over GET /__sandbox/state (and /__payments/state). Every value is escaped. */

// The state is the admin API's JSON; its exact types live in snapshot.ts and payments/admin.ts.
export type Json = any;

/** How many of the newest orders, deliveries, codes, pushes and payments the page lists. */
const RECENT = 8;

export function esc(value: unknown): string {
	return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const FLOOR_TEXT: Record<string, string> = { '0': 'no channel 无货道', '1': 'normal 正常', '2': 'stuck 卡货', '3': 'motor fault 电机故障', '47': 'serial timeout 串口超时' };
const newest = (list: Json[] | undefined): Json[] => (list ?? []).slice(-RECENT).reverse();
const yuan = (fen: number): string => (fen / 100).toFixed(2);

function table(title: string, heads: string[], rows: string[][], empty: string): string {
	const body = rows.length === 0 ? `<tr><td colspan="${heads.length}" class="none">${esc(empty)}</td></tr>` : rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
	return `<h3>${esc(title)}</h3><table><thead><tr>${heads.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const badge = (good: boolean, yes: string, no: string): string => `<span class="${good ? 'good' : 'bad'}">${esc(good ? yes : no)}</span>`;

function machinesTable(machines: Json[]): string {
	const rows = machines.map((m: Json) => [
		`<b>${esc(m.machine_no)}</b><br><small>${esc(m.name)} · ${esc(m.type)}</small>`,
		`<span data-online="${esc(m.online)}">${badge(m.online, 'online 在线', 'offline 离线')}</span>${m.locked ? ' <small>dispensing 出货中</small>' : ''}`,
		badge(m.pickup_enabled, 'on 开', 'off 关'),
		(m.products as Json[])
			.map((p: Json) => {
				const low = p.stock <= 2;
				const floor = `${p.floor_status}` === '1' ? '' : ` ${badge(false, '', FLOOR_TEXT[`${p.floor_status}`] ?? `floor ${p.floor_status}`)}`;
				return `<div>${esc(p.channel)} ${esc(p.name)} ¥${esc(p.price)} · <span class="${low ? 'bad' : ''}">stock ${esc(p.stock)}/${esc(p.capacity)}</span>${floor}</div>`;
			})
			.join(''),
	]);
	return table('Machines 设备', ['Machine 设备', 'State 状态', 'Pickup codes 取货码', 'Channels 货道'], rows, 'no machines');
}

function faultText(f: Json): string {
	const where = f.machineNo ? ` machine ${f.machineNo}` : f.match?.path ? ` ${f.match.method ?? ''} ${f.match.path}` : '';
	return `${f.kind}${where}${f.errorMsg ? ` (${f.errorMsg})` : ''} ×${f.count}`;
}

function sandboxTables(state: Json): string {
	const faults = (state.faults as Json[]).map((f) => [esc(faultText(f))]);
	const orders = newest(state.orders).map((o: Json) => [
		esc(o.order_id),
		esc(o.trade_id),
		esc(o.machine_no),
		esc(`${o.status}${o.expired ? ' (expired)' : ''}`),
		esc((o.records as Json[]).map((r) => `${r.record_id} ${r.product_id}×${r.quantity} ${r.status}`).join(' · ')),
	]);
	const deliveries = newest(state.deliveries).map((d: Json) => [
		esc(d.delivery_id),
		esc(d.machine_no),
		esc(d.order_id ? `${d.order_id} / ${d.record_id}` : `test ${d.channel_name ?? ''}`),
		esc(d.status),
		esc(d.fail_reason ?? ''),
	]);
	const codes = newest(state.pickup_codes).map((c: Json) => [`<b class="code">${esc(c.code)}</b>`, esc(c.machine_no), esc(c.product_id), esc(c.status), esc(c.order_id ?? '')]);
	const pushes = newest(state.callbacks).map((c: Json) => [
		esc(`${c.body?.method ?? ''} order ${c.body?.order_id ?? ''}`),
		esc(c.body?.deliver_status === undefined ? '' : c.body.deliver_status === '1' ? 'dispensed 已出货' : `failed 失败 ${c.body.error_msg ?? ''}`),
		esc(maskUrlTokens(String(c.url))),
		c.dropped ? esc('dropped') : badge(c.delivered, `delivered (${c.attempts})`, `not delivered (${c.attempts})`),
	]);
	return [
		`<p class="now">Sandbox clock 沙盒时间: <b>${esc(state.now)}</b></p>`,
		machinesTable(state.machines),
		table('Waiting faults 待触发故障', ['Fault 故障 (used by the next matching event 下一次匹配时触发)'], faults, 'none 无'),
		table('Recent orders 最近订单', ['Order', 'Trade id', 'Machine', 'Status', 'Records'], orders, 'no orders yet 暂无订单'),
		table('Dispenses 出货', ['Delivery', 'Machine', 'Order / record', 'Status', 'Reason'], deliveries, 'no dispenses yet 暂无出货'),
		table('Result pushes 结果推送 (to workflow 2 / Notify URL)', ['Push', 'Result', 'To', 'Delivered'], pushes, 'none yet 暂无'),
		table('Pickup codes 取货码', ['Code', 'Machine', 'Product', 'Status', 'Order'], codes, 'none yet 暂无'),
	].join('\n');
}

function paymentTables(payments: Json): string {
	const paid = newest(payments.payments).map((p: Json) => [esc(p.provider), esc(p.out_trade_no), `¥${esc(yuan(p.total_fen))}`, p.refunded_fen ? `<span class="bad">¥${esc(yuan(p.refunded_fen))}</span>` : '', esc(p.attach)]);
	const refunds = [
		...newest(payments.refunds).map((r: Json) => [esc(r.provider), esc(r.refund_key), esc(r.out_trade_no), `¥${esc(yuan(r.refund_fen))} ${esc(r.status)}`, esc(r.attempts)]),
		...newest(payments.plainRefunds).map((r: Json) => [esc('plain (workflow 2)'), esc(r.refund_key), esc([r.order_id, r.record_id].filter((v) => v !== undefined).join(' / ')), esc('refunded'), esc(r.attempts)]),
	];
	return [
		table('Payments 支付 (WeChat Pay / Alipay sandbox)', ['Provider', 'out_trade_no', 'Paid', 'Refunded', 'attach'], paid, 'no payments yet 暂无支付'),
		table('Refunds 退款', ['Provider', 'Refund key', 'Trade / order', 'Amount, status', 'Calls'], refunds, 'no refunds yet 暂无退款'),
	].join('\n');
}

/** `payments`: the payment sandbox's state, a reason it is missing (string), or undefined when none is linked. */
export function stateHtml(state: Json, payments: Json | string | undefined): string {
	const paymentPart = payments === undefined ? '' : typeof payments === 'string' ? `<p class="bad">${esc(payments)}</p>` : paymentTables(payments);
	return `${sandboxTables(state)}\n${paymentPart}`;
}

/** Where the page reaches beyond this sandbox (filled in once the other servers are up). */
export interface PageLinks {
	/** The WeChat Pay / Alipay sandbox (e.g. http://127.0.0.1:3910): its payments and refunds are shown, payments go through it. */
	payments?: string;
	/** Where each provider's payment notification goes: workflows 6 and 7's *Payment received* Production URL. */
	notifyUrls?: { weChatPay?: string; alipay?: string };
	/** Workflow 4's webhook, where a customer types a pickup code. */
	pickupWebhook?: string;
}
