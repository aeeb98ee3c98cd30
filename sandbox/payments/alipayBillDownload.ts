import type { VirtualClock } from '../clock';
import type { AlipayBillLinks } from './alipayBill';

/** GET /downloadBillFile.resource?…&token=: the bill's zip within 30 s of the link, else Alipay's "download timed out" page. */

export interface BillDownloadAnswer {
	status: number;
	body: string | Buffer;
	headers: Record<string, string>;
	code: string;
}

export function alipayBillDownload(ctx: { clock: VirtualClock; alipayBillLinks: AlipayBillLinks }, url: string): BillDownloadAnswer {
	const query = new URL(url, 'http://sandbox').searchParams;
	const found = ctx.alipayBillLinks.download(query.get('token') ?? '', ctx.clock.now());
	if ('zip' in found) {
		const name = query.get('downloadFileName') ?? 'bill.csv.zip';
		return {
			status: 200,
			body: found.zip,
			headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${encodeURIComponent(name)}"` },
			code: 'bill zip',
		};
	}
	// Alipay answers an old link with a short text page, not an HTTP error.
	const text = found.expired ? '下载超时，请重新下载' : '文件不存在';
	return { status: found.expired ? 200 : 404, body: text, headers: { 'Content-Type': 'text/html;charset=utf-8' }, code: found.expired ? 'bill link expired' : 'no such bill link' };
}
