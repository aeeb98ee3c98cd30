import { esc, type Json, type PageLinks } from './pageState';

/**
 * The sandbox page's shell: forms whose buttons call the admin API (/__sandbox/…) that sandbox/README.md's
 * curl lines call, a result line, and the state (refreshed every 2 s). Self-contained: inline CSS and JS.
 */

const CSS = `
body{font:14px/1.45 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f4f6f8}
header{background:#1d2733;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}header a{color:#9cd3ff}
main{display:grid;grid-template-columns:minmax(320px,430px) 1fr;gap:16px;padding:16px 20px}
section{background:#fff;border-radius:8px;padding:10px 14px;margin-bottom:12px;box-shadow:0 1px 2px #0002}
h2{font-size:15px;margin:0 0 6px}h3{font-size:14px;margin:14px 0 4px}
select,input{font:inherit;padding:3px 4px;margin:2px 0;max-width:100%}
button{font:inherit;margin:3px 3px 3px 0;padding:4px 9px;border:1px solid #2b6cb0;border-radius:5px;background:#ebf4ff;cursor:pointer}
button.danger{border-color:#c53030;background:#fff5f5}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #e2e8f0;padding:3px 6px;text-align:left;vertical-align:top}
small,.none,.hint{color:#5a6775}.good{color:#2f855a;font-weight:600}.bad{color:#c53030;font-weight:600}.code{font-size:16px;letter-spacing:1px}
#result{white-space:pre-wrap;background:#1d2733;color:#e2e8f0;padding:8px;border-radius:6px;min-height:2.5em;max-height:160px;overflow:auto;margin:0}
#result[data-ok=false]{color:#feb2b2}ol{margin:4px 0;padding-left:20px}.sticky{position:sticky;top:0;z-index:1}
`;

const SCRIPT = `
const post = (url, body) => ['POST', url, body];
const fault = (f, extra) => post('/__sandbox/faults', Object.assign({ machineNo: f.machine }, extra));
const channel = (f, extra) => { const [machine_no, channel] = f.channel.split(' '); return post('/__sandbox/channels', Object.assign({ machine_no, channel }, extra)); };
const product = (f) => { const [machine_no, product_id] = f.product.split(' '); return { machine_no, product_id: Number(product_id) }; };
const ACTIONS = {
	fail: (f) => fault(f, { kind: 'deliveryFail', floorStatus: '2', errorMsg: 'Goods are Stuck' }),
	silent: (f) => fault(f, { kind: 'deviceSilent' }),
	clearFaults: () => ['DELETE', '/__sandbox/faults'],
	offline: (f) => post('/__sandbox/machines/' + f.machine + '/online', { online: false }),
	online: (f) => post('/__sandbox/machines/' + f.machine + '/online', { online: true }),
	stuck: (f) => channel(f, { floor_status: '2' }),
	unstuck: (f) => channel(f, { floor_status: '1' }),
	lowStock: (f) => channel(f, { stock: 1 }),
	refill: (f) => channel(f, { stock: Number(f.channel.split(' ')[2]) }),
	addCode: (f) => post('/__sandbox/pickup-codes', product(f)),
	typeCode: (f) => post('/__sandbox/page/type-code', Object.assign(product(f), { code: f.code })),
	switchOn: (f) => post('/__sandbox/pickup-switch', { machine_no: product(f).machine_no, enabled: true }),
	switchOff: (f) => post('/__sandbox/pickup-switch', { machine_no: product(f).machine_no, enabled: false }),
	payWeChat: (f) => post('/__sandbox/page/pay', Object.assign(product(f), { provider: 'weChatPay', notify_url: f.weChatPayNotify })),
	payAlipay: (f) => post('/__sandbox/page/pay', Object.assign(product(f), { provider: 'alipay', notify_url: f.alipayNotify })),
	expire: () => post('/__sandbox/clock', { advanceSeconds: 1200 }),
	reset: () => post('/__sandbox/reset', {}),
};
const result = document.getElementById('result');
async function refresh() {
	const answer = await fetch('/__sandbox/page/state');
	if (answer.ok) document.getElementById('state').innerHTML = await answer.text();
}
document.addEventListener('submit', async (event) => {
	event.preventDefault();
	const button = event.submitter;
	if (!button || !ACTIONS[button.value]) return;
	if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
	const [method, url, body] = ACTIONS[button.value](Object.fromEntries(new FormData(event.target)));
	result.dataset.ok = '';
	result.textContent = button.textContent + ' …';
	try {
		const answer = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await answer.text();
		let shown = text;
		try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
		result.dataset.ok = String(answer.ok);
		result.textContent = button.textContent + ' → ' + (answer.ok ? 'done 完成' : 'refused 失败 (' + answer.status + ')') + '\\n' + method + ' ' + url + '\\n' + shown;
	} catch (error) {
		result.dataset.ok = 'false';
		result.textContent = button.textContent + ' → ' + error;
	}
	await refresh();
});
setInterval(() => { refresh().catch(() => undefined); }, 2000);
`;

const option = (value: string, label: string, selected: boolean): string => `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
const button = (action: string, label: string, confirm?: string): string =>
	`<button name="do" value="${esc(action)}"${confirm ? ` class="danger" data-confirm="${esc(confirm)}"` : ''}>${esc(label)}</button>`;

function machineSelect(machines: Json[], chosen: string): string {
	return `<select name="machine" aria-label="machine">${machines.map((m: Json) => option(m.machine_no, `${m.machine_no} ${m.name}`, m.machine_no === chosen)).join('')}</select>`;
}

/** Every channel as "machine channel capacity" (refill fills it to its capacity). */
function channelSelect(machines: Json[], chosen: string): string {
	const options = machines.flatMap((m: Json) => (m.products as Json[]).map((p: Json) => option(`${m.machine_no} ${p.channel} ${p.capacity}`, `${m.machine_no} ${p.channel} ${p.name}`, `${m.machine_no} ${p.channel}` === chosen)));
	return `<select name="channel" aria-label="channel">${options.join('')}</select>`;
}

function productSelect(machines: Json[], chosen: string): string {
	const options = machines.flatMap((m: Json) => (m.products as Json[]).map((p: Json) => option(`${m.machine_no} ${p.product_id}`, `${m.machine_no} · ${p.product_id} ${p.name} ¥${p.price}`, `${m.machine_no} ${p.product_id}` === chosen)));
	return `<select name="product" aria-label="product">${options.join('')}</select>`;
}

function forms(machines: Json[], links: PageLinks): string {
	const notify = (name: string, value: string | undefined): string =>
		`<label>${esc(name)} notify_url<br><input name="${esc(name)}Notify" size="46" value="${esc(value ?? '')}" placeholder="http://127.0.0.1:5678/webhook/…"></label><br>`;
	return `
<section><h2>Workflow 3's refund path 工作流 3 的退款路径</h2><ol>
<li>Press <b>Next dispense fails</b> below (machine 10000002) · 点击下方 “下次出货失败”</li>
<li>In n8n run <b>DingShang 3 · Try it first</b> again · 在 n8n 中再次运行工作流 3</li>
<li>Workflow 2 refunds the order: see <b>Refunds</b> on the right · 工作流 2 退款，见右侧 “退款”</li></ol></section>
<form><section><h2>Dispense 出货</h2><label>Machine 设备 ${machineSelect(machines, '10000002')}</label><br>
${button('fail', 'Next dispense fails 下次出货失败')}${button('silent', 'Next dispense never reports 下次出货无回应')}${button('clearFaults', 'Clear waiting faults 清除待触发故障')}
<div class="hint">Used by the machine's next dispense (Goods are Stuck) · 由该设备的下一次出货触发</div></section>
<section><h2>Machine alerts 设备告警 (workflow 5)</h2><div class="hint">The machine chosen above · 上方所选设备</div>${button('offline', 'Machine offline 设备离线')}${button('online', 'Machine online 设备上线')}<br>
${channelSelect(machines, '10000003 A2')}<br>${button('stuck', 'Channel stuck 货道卡货')}${button('unstuck', 'Channel fixed 货道恢复')}${button('lowStock', 'Low stock 库存不足')}${button('refill', 'Refill 补货')}
<div class="hint">Workflow 5 checks every minute · 工作流 5 每分钟检查一次</div></section></form>
<form><section><h2>Pickup codes 取货码 (workflow 4)</h2>${productSelect(machines, '10000001 101')}<br>
${button('addCode', 'Add a pickup code 生成取货码')}${button('switchOn', 'Switch on 开启取货码')}${button('switchOff', 'Switch off 关闭取货码')}<br>
<label>Code 取货码 <input name="code" size="12" inputmode="numeric"></label>${button('typeCode', 'Customer types it 顾客输入')}
<div class="hint">${links.pickupWebhook ? `Typed into workflow 4: ${esc(links.pickupWebhook)}` : 'No workflow 4 linked: typing a code is off 未关联工作流 4'}</div></section>
<section><h2>Customer pays 顾客付款 (workflows 6, 7)</h2>
<div class="hint">Creates an order for the product and pays it in the ${links.payments ? `payment sandbox ${esc(links.payments)}` : 'payment sandbox (none linked 未关联)'}, which notifies the workflow · 创建订单并在支付沙盒付款</div>
${notify('weChatPay', links.notifyUrls?.weChatPay)}${notify('alipay', links.notifyUrls?.alipay)}
${button('payWeChat', 'Pay with WeChat Pay 微信支付')}${button('payAlipay', 'Pay with Alipay 支付宝支付')}</section></form>
<form><section><h2>Clock and reset 时钟与重置</h2>${button('expire', '+20 min: unpaid orders expire 未付订单过期')}
${button('reset', 'Reset everything 全部重置', 'Reset the sandbox to its seed? 确定重置沙盒？')}</section></form>`;
}

/** The whole page; `stateFragment` is stateHtml()'s output for the first paint. */
export function pageHtml(machines: Json[], links: PageLinks, stateFragment: string): string {
	const payments = links.payments ? ` · <a href="${esc(links.payments)}/__payments/state">payments JSON</a>` : '';
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>DingShang sandbox 鼎商沙盒</title><style>${CSS}</style></head>
<body><header><h1>DingShang sandbox 鼎商沙盒</h1><small>A local fake of the platform and the payment providers — no terminal needed · 本地模拟平台与支付，无需终端 ·
<a href="/__sandbox/state">state JSON</a>${payments}</small></header>
<main><div>${forms(machines, links)}</div>
<div><section class="sticky"><h2>Result 结果</h2><pre id="result" role="status">Press a button 点击按钮</pre></section><div id="state">${stateFragment}</div></div></main>
<script>${SCRIPT}</script></body></html>`;
}
