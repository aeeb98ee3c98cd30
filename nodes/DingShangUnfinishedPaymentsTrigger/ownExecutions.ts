import type { IDataObject } from 'n8n-workflow';

import type { ExecutionSummary } from './n8nApi';
import { startOutputs } from './paymentOfExecution';

/**
 * The trigger's own workflow runs the refunds it hands on (output "Refund Due" → the WeChat Pay /
 * Alipay refund node). When n8n ends such an execution unfinished, the refund may not have been
 * sent: a crash (or a worker whose data n8n wiped) → the same Refund Due items again, once — the
 * refund node reads the refund by its key first, so a repeat cannot pay twice. An error the
 * execution recorded (e.g. the provider refused) → a person: sending it again would fail again.
 */

/** The Refund Due items an own execution started with: the trigger's second output. */
export function refundDueItems(data: IDataObject | undefined): IDataObject[] {
	return (startOutputs(data)[1] ?? []).filter((json) => json.outcome === 'refund_due');
}

type Outputs = [IDataObject[], IDataObject[], IDataObject[]];

/**
 * What to emit for one own execution n8n ended `crashed` or `error`; undefined when it carried no
 * Refund Due item (nothing to finish). `stored`: the items came from n8n's data, not only from memory.
 */
export function ownReport(execution: ExecutionSummary, refundDue: IDataObject[], stored: boolean, context: IDataObject): Outputs | undefined {
	if (refundDue.length === 0) return undefined;
	// Queue mode: a dead worker's execution ends `error` with its data replaced by an empty run — a crash, not a refusal.
	if (execution.status === 'crashed' || !stored) return [[], refundDue.map((item) => ({ ...item, retry_of_execution: execution.id })), []];
	const first = refundDue[0];
	const keys = refundDue.map((item) => String(item.refund_key)).join(', ');
	return [
		[],
		[],
		[
			{
				outcome: 'needs_person',
				message: `Left for you: the refund with refund_key ${keys} did not finish. ${String(context.what_happened ?? '')} Check it at the payment provider and refund by hand if needed.`,
				messageZh: `需要您处理：refund_key ${keys} 的退款未完成。${String(context.what_happenedZh ?? '')} 请到支付平台核对，必要时人工退款。`,
				order_id: first.order_id ?? null,
				machine_no: first.machine_no ?? null,
				provider: first.provider ?? null,
				out_trade_no: first.out_trade_no ?? null,
				transaction_id: first.transaction_id ?? null,
				refund_key: first.refund_key ?? null,
				refund_amount: first.refund_amount ?? null,
				total_amount: first.total_amount ?? null,
				refunds_due: refundDue,
				...context,
			},
		],
	];
}
