/**
 * Alipay's trade bill (bill_type "trade", 业务账单): a zip of two GBK CSV files,
 * "<pid>0156_<yyyyMMdd>_业务明细.csv" (details) and "…_业务明细(汇总).csv" (summary). Each file has
 * "#" comment lines around a header line and its rows; detail fields are padded with a tab. Every
 * Chinese column name maps to one English output field: the tables below are the mapping.
 */

export type ColumnKind = 'text' | 'yuan' | 'count' | 'time' | 'type' | 'remark';

/** [Chinese column name, output field, kind], in the order Alipay writes them. */
export type Column = readonly [string, string, ColumnKind];

export const DETAIL_COLUMNS: readonly Column[] = [
	['支付宝交易号', 'trade_no', 'text'],
	['商户订单号', 'out_trade_no', 'text'],
	['业务类型', 'business_type', 'type'],
	['商品名称', 'subject', 'text'],
	['创建时间', 'created_at', 'time'],
	['完成时间', 'finished_at', 'time'],
	['门店编号', 'store_id', 'text'],
	['门店名称', 'store_name', 'text'],
	['操作员', 'operator_id', 'text'],
	['终端号', 'terminal_id', 'text'],
	['对方账户', 'buyer_account', 'text'],
	['订单金额（元）', 'order_amount', 'yuan'],
	['商家实收（元）', 'receipt_amount', 'yuan'],
	['支付宝红包（元）', 'alipay_red_packet_amount', 'yuan'],
	['集分宝（元）', 'jifenbao_amount', 'yuan'],
	['支付宝优惠（元）', 'alipay_discount_amount', 'yuan'],
	['商家优惠（元）', 'merchant_discount_amount', 'yuan'],
	['券核销金额（元）', 'voucher_amount', 'yuan'],
	['券名称', 'voucher_name', 'text'],
	['商家红包消费金额（元）', 'merchant_red_packet_amount', 'yuan'],
	['卡消费金额（元）', 'card_amount', 'yuan'],
	['退款批次号/请求号', 'out_request_no', 'text'],
	['服务费（元）', 'service_fee', 'yuan'],
	['分润（元）', 'profit_share_amount', 'yuan'],
	// The payment request's `body`, as the merchant sent it: parsed like passback_params.
	['备注', 'remark', 'remark'],
];

export const SUMMARY_COLUMNS: readonly Column[] = [
	['门店编号', 'store_id', 'text'],
	['门店名称', 'store_name', 'text'],
	['交易订单总笔数', 'payment_count', 'count'],
	['退款订单总笔数', 'refund_count', 'count'],
	['订单金额（元）', 'order_amount', 'yuan'],
	['商家实收（元）', 'receipt_amount', 'yuan'],
	['支付宝优惠（元）', 'alipay_discount_amount', 'yuan'],
	['商家优惠（元）', 'merchant_discount_amount', 'yuan'],
	['卡消费金额（元）', 'card_amount', 'yuan'],
	['服务费（元）', 'service_fee', 'yuan'],
	['分润（元）', 'profit_share_amount', 'yuan'],
	['实收净额（元）', 'net_receipt_amount', 'yuan'],
];

/** 业务类型: a payment row or a refund row. */
export const BUSINESS_TYPES: Record<string, string> = { 交易: 'payment', 退款: 'refund' };

/** The summary row over all stores. */
export const TOTAL_ROW = '合计';

/** Words that mark the files and their sections. */
export const WORDS = {
	summaryFile: '汇总',
	detailsFile: '业务明细',
	detailsList: '业务明细列表',
	summaryList: '业务汇总列表',
	listEnd: '结束',
	paymentsTotal: '交易合计：',
	refundsTotal: '退款合计：',
	period: '起始日期：',
	/** What Alipay's download answers when the 30-second link has expired. */
	expired: '下载超时',
};

/** Alipay's date-time "2026-11-30 18:00:00" (China time) as written in the bill. */
export const BILL_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
