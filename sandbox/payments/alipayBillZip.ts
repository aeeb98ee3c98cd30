import { deflateRawSync } from 'zlib';

import { crc32 } from '../../packages/shared/zipArchive';

/** The bytes of Alipay's bill download: GBK text (Node decodes GBK but has no encoder) in a zip with GBK names. */

let gbkTable: Map<string, number[]> | undefined;

/** Every two-byte GBK code, decoded once, gives the encoder its table. */
function table(): Map<string, number[]> {
	if (gbkTable) return gbkTable;
	gbkTable = new Map();
	const decoder = new TextDecoder('gbk');
	for (let lead = 0x81; lead <= 0xfe; lead++) {
		for (let trail = 0x40; trail <= 0xfe; trail++) {
			if (trail === 0x7f) continue;
			const char = decoder.decode(Uint8Array.of(lead, trail));
			if (char.length === 1 && char !== '\ufffd' && !gbkTable.has(char)) gbkTable.set(char, [lead, trail]);
		}
	}
	return gbkTable;
}

export function encodeGbk(text: string): Buffer {
	const bytes: number[] = [];
	for (const char of text) {
		const code = char.codePointAt(0) as number;
		if (code < 0x80) bytes.push(code);
		else {
			// A character GBK lacks (an emoji in a subject) becomes "?", as Windows' converter does.
			bytes.push(...(table().get(char) ?? [0x3f]));
		}
	}
	return Buffer.from(bytes);
}

export interface ZipFile {
	name: string;
	content: Buffer;
}

/** MS-DOS time and date of a China wall-clock instant (as a Windows tool in China writes them). */
function dosTime(at: Date): { time: number; date: number } {
	const china = new Date(at.getTime() + 8 * 3600_000);
	return {
		time: (china.getUTCHours() << 11) | (china.getUTCMinutes() << 5) | Math.floor(china.getUTCSeconds() / 2),
		date: ((china.getUTCFullYear() - 1980) << 9) | ((china.getUTCMonth() + 1) << 5) | china.getUTCDate(),
	};
}

/** A zip of deflated files; names in GBK without the UTF-8 flag, as Alipay's bills are. */
export function writeZip(files: ZipFile[], at: Date): Buffer {
	const { time, date } = dosTime(at);
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const file of files) {
		const name = encodeGbk(file.name);
		const data = deflateRawSync(file.content);
		const crc = crc32(file.content);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
		local.writeUInt16LE(0, 6); // flags: none (names are not UTF-8)
		local.writeUInt16LE(8, 8);
		local.writeUInt16LE(time, 10);
		local.writeUInt16LE(date, 12);
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(data.length, 18);
		local.writeUInt32LE(file.content.length, 22);
		local.writeUInt16LE(name.length, 26);
		local.writeUInt16LE(0, 28);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(0, 8);
		central.writeUInt16LE(8, 10);
		central.writeUInt16LE(time, 12);
		central.writeUInt16LE(date, 14);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(data.length, 20);
		central.writeUInt32LE(file.content.length, 24);
		central.writeUInt16LE(name.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, name, data);
		centrals.push(central, name);
		offset += local.length + name.length + data.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(files.length, 8);
	end.writeUInt16LE(files.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
}
