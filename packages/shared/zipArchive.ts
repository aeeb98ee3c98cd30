/**
 * A small zip reader for provider downloads (Alipay's bill is a zip of CSV files): the central
 * directory, each local header, stored (0) or deflated (8) data through the global
 * DecompressionStream, and the CRC-32 and size checked, so a truncated or damaged file is an
 * error that says so instead of a shorter bill. No zip64, no encryption (bills never use them).
 */

export class ZipError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ZipError';
	}
}

export interface ZipEntry {
	name: string;
	method: number;
	crc32: number;
	compressedSize: number;
	size: number;
	/** Where the entry's local header starts. */
	offset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Flag bit 11: the name is UTF-8; without it the name is in the writer's code page. */
const UTF8_NAME = 0x0800;

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip and gzip use). */
export function crc32(bytes: Uint8Array): number {
	if (!table) {
		table = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			table[n] = c >>> 0;
		}
	}
	let crc = 0xffffffff;
	for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The entries of a zip, from its central directory. `nameEncoding`: for names not flagged UTF-8 (Alipay: gbk). */
export function zipEntries(bytes: Uint8Array, nameEncoding = 'utf-8'): ZipEntry[] {
	const data = view(bytes);
	// The end record sits in the last 22 bytes plus a comment of up to 65535 bytes.
	let end = -1;
	for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 65535; at--) {
		if (data.getUint32(at, true) === EOCD) {
			end = at;
			break;
		}
	}
	if (end < 0) throw new ZipError(bytes.length > 1 && bytes[0] === 0x50 && bytes[1] === 0x4b ? 'the zip file is truncated: its end record (central directory) is missing' : 'the file is not a zip');
	const count = data.getUint16(end + 10, true);
	const dirSize = data.getUint32(end + 12, true);
	const dirStart = data.getUint32(end + 16, true);
	if (dirStart + dirSize > end) throw new ZipError('the zip file is damaged: its central directory lies outside the file');
	const entries: ZipEntry[] = [];
	let at = dirStart;
	for (let i = 0; i < count; i++) {
		if (at + 46 > end || data.getUint32(at, true) !== CENTRAL) throw new ZipError(`the zip file is damaged: central directory entry ${i + 1} of ${count} is missing`);
		const flags = data.getUint16(at + 8, true);
		const nameLength = data.getUint16(at + 28, true);
		const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
		entries.push({
			name: new TextDecoder(flags & UTF8_NAME ? 'utf-8' : nameEncoding).decode(nameBytes),
			method: data.getUint16(at + 10, true),
			crc32: data.getUint32(at + 16, true),
			compressedSize: data.getUint32(at + 20, true),
			size: data.getUint32(at + 24, true),
			offset: data.getUint32(at + 42, true),
		});
		at += 46 + nameLength + data.getUint16(at + 30, true) + data.getUint16(at + 32, true);
	}
	return entries;
}

async function inflateRaw(compressed: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** One entry's bytes, decompressed and checked against the directory's size and CRC-32. */
export async function unzipEntry(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
	const data = view(bytes);
	const what = `zip entry "${entry.name}"`;
	if (entry.offset + 30 > bytes.length || data.getUint32(entry.offset, true) !== LOCAL) throw new ZipError(`${what}: its local header is missing (damaged zip)`);
	const start = entry.offset + 30 + data.getUint16(entry.offset + 26, true) + data.getUint16(entry.offset + 28, true);
	if (start + entry.compressedSize > bytes.length) throw new ZipError(`${what} is truncated: ${entry.compressedSize} bytes expected, ${Math.max(0, bytes.length - start)} present`);
	const raw = bytes.subarray(start, start + entry.compressedSize);
	let content: Uint8Array;
	if (entry.method === 0) content = raw;
	else if (entry.method === 8) {
		const inflated = await inflateRaw(raw).catch((error: Error) => error);
		if (inflated instanceof Error) throw new ZipError(`${what}: the compressed data is damaged or truncated (${inflated.message})`);
		content = inflated;
	} else throw new ZipError(`${what} uses compression method ${entry.method}; only stored (0) and deflate (8) are read`);
	if (content.length !== entry.size) throw new ZipError(`${what} has the wrong size: ${content.length} bytes, the zip says ${entry.size} (damaged zip)`);
	const crc = crc32(content);
	if (crc !== entry.crc32) throw new ZipError(`${what} fails its CRC-32 check (${crc.toString(16)}, expected ${entry.crc32.toString(16)}): the file is damaged`);
	return content;
}

/** Every file of a zip by name (directories left out). */
export async function unzip(bytes: Uint8Array, nameEncoding = 'utf-8'): Promise<Map<string, Uint8Array>> {
	const files = new Map<string, Uint8Array>();
	for (const entry of zipEntries(bytes, nameEncoding)) {
		if (!entry.name.endsWith('/')) files.set(entry.name, await unzipEntry(bytes, entry));
	}
	return files;
}
