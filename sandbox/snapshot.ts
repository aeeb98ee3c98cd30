import { isoTime } from './clock';
import type { Dispenser } from './dispense';
import { money } from './model';
import { codesSnapshot } from './pickupCodes';
import type { SandboxState } from './state';

/** The machines / orders / deliveries part of GET /__sandbox/state (plain JSON, nothing omitted). */
export function snapshot(state: SandboxState, dispenser: Dispenser): Record<string, unknown> {
	return {
		now: isoTime(state.deps.clock.now()),
		machines: [...state.machines.values()].map((m) => ({
			machine_no: m.machine_no,
			type: m.type,
			dwell_seconds: m.dwell_seconds,
			online: m.online,
			name: m.name,
			pickup_enabled: m.pickupEnabled,
			locked: state.isLocked(m),
			locked_until: state.isLocked(m) ? isoTime(m.lockedUntil as number) : undefined,
			products: m.products.map((p) => ({
				product_id: p.product_id,
				name: p.name,
				price: money(p.priceCents),
				stock: p.stock,
				channel: p.channel,
				capacity: p.capacity,
				floor_status: p.floor_status,
				category_id: p.category_id,
			})),
		})),
		orders: [...state.orders.values()].map((o) => ({
			order_id: o.order_id,
			trade_id: o.trade_id,
			machine_no: o.machine_no,
			status: o.status,
			pickup_code_id: o.pickup_code_id,
			expired: o.expired,
			notify_url: o.notify_url,
			created_at: isoTime(o.created_at),
			expires_at: isoTime(o.expires_at),
			records: o.records.map((r) => ({
				order_id: o.order_id,
				record_id: r.id,
				product_id: r.product_id,
				quantity: r.quantity,
				price: money(r.priceCents),
				status: r.status,
				dispense_count: r.dispense_count,
				dropped: r.dropped,
			})),
		})),
		categories: state.categories.map((c) => ({ ...c })),
		pickup_codes: codesSnapshot(state),
		deliveries: [...state.deliveries.values()].map((d) => ({
			...dispenser.view(d, false),
			delivery_id: d.delivery_id, // after the view, which leaves it out
			machine_no: d.machine_no,
			order_id: d.order_id,
			record_id: d.record_id,
			channel_name: d.channel_name,
			// Virtual milliseconds the machine spent on it (real ms = this × time scale).
			dispense_ms: d.ended_at === undefined ? undefined : Math.round(d.ended_at - d.delivered_at),
		})),
	};
}
