import { createCipheriv, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'crypto';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import Pay from 'wechatpay-node-v3';

import { parsePrivateKey, parsePublicKey } from '../../shared/keys';
import {
	WECHAT_REFUNDS_PATH,
	decryptResource,
	encryptResource,
	parseWeChatAuthorization,
	signWeChatBody,
	unixSeconds,
	weChatAuthorization,
	weChatHeaders,
	weChatSignatureProblem,
} from '../nodes/shared/wechatpay/api';

/**
 * An independent peer checks our WeChat Pay crypto: the widely used wechatpay-node-v3 signs,
 * verifies and decrypts the same values our code does.
 */

interface Pair {
	privatePem: string;
	publicPem: string;
	privateKey: KeyObject;
	publicKey: KeyObject;
}
function rsaPair(): Pair {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	return {
		privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
		publicPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
		privateKey,
		publicKey,
	};
}
const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

let merchant: Pair; // WeChat Pay merchant key
let platform: Pair; // WeChat Pay platform public key
let stranger: Pair;
beforeAll(() => {
	merchant = rsaPair();
	platform = rsaPair();
	stranger = rsaPair();
});


// ---------------------------------------------------------------------------------------------
describe('WeChat Pay APIv3 against wechatpay-node-v3', () => {
	const MCH_ID = '1900000109';
	const SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
	const PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092024061100000001';
	const API_V3_KEY = 'a7cde1ZJB1kG2e7VfTs3jQzK4Rp9Wb2X'; // 32 chars
	let pay: Pay;
	const certificates = () => (Pay as unknown as { certificates: Record<string, string> }).certificates;

	beforeAll(() => {
		expect(API_V3_KEY).toHaveLength(32);
		// serial_no given: the SDK never reads publicKey as a certificate (getSN is not called).
		pay = new Pay({ appid: 'wx8888888888888888', mchid: MCH_ID, publicKey: Buffer.from('unused'), privateKey: Buffer.from(merchant.privatePem), serial_no: SERIAL, key: API_V3_KEY });
		certificates()[PUBLIC_KEY_ID] = platform.publicPem; // verifySign then does not fetch certificates
	});
	afterAll(() => {
		delete certificates()[PUBLIC_KEY_ID];
	});

	const signer = () => ({ mchId: MCH_ID, serialNo: SERIAL, privateKey: parsePrivateKey('Merchant Private Key', merchant.privatePem) });

	it('POST refund: our Authorization signature equals the SDK getSignature, same header fields', () => {
		const body = JSON.stringify({ out_trade_no: 'T20240611000001', out_refund_no: 'R20240611000001', reason: '商品缺货 & 退款', amount: { refund: 100, total: 300, currency: 'CNY' } });
		const timestamp = '1718100000';
		const nonceStr = 'b2f5c1d04e8a4f0e9c6b7a1d2e3f4a5b';
		const ours = weChatAuthorization(signer(), 'POST', WECHAT_REFUNDS_PATH, body, timestamp, nonceStr);
		const sdkSignature = pay.getSignature('POST', nonceStr, timestamp, WECHAT_REFUNDS_PATH, body);
		const fields = parseWeChatAuthorization(ours)!;
		expect(fields.signature).toBe(sdkSignature);
		const sdkHeader = pay.getAuthorization(nonceStr, timestamp, sdkSignature);
		expect(ours.split(' ')[0]).toBe(sdkHeader.split(' ')[0]); // WECHATPAY2-SHA256-RSA2048
		expect(fields).toEqual(parseWeChatAuthorization(sdkHeader));
		expect(fields).toEqual({ mchid: MCH_ID, nonce_str: nonceStr, timestamp, serial_no: SERIAL, signature: sdkSignature });
		// A different body is a different signature (the body is covered).
		expect(parseWeChatAuthorization(weChatAuthorization(signer(), 'POST', WECHAT_REFUNDS_PATH, body.replace('100', '101'), timestamp, nonceStr))!.signature).not.toBe(sdkSignature);
	});

	it('GET refund query (empty body): same signature as the SDK', () => {
		const path = `${WECHAT_REFUNDS_PATH}/R20240611000001`;
		const ours = parseWeChatAuthorization(weChatAuthorization(signer(), 'GET', path, '', '1718100001', 'n1'))!;
		expect(ours.signature).toBe(pay.getSignature('GET', 'n1', '1718100001', path, ''));
	});

	it('an answer signed with signWeChatBody passes the SDK verifySign; an altered body does not', async () => {
		const body = JSON.stringify({ refund_id: '50000000382019052709732678859', out_refund_no: 'R1', status: 'PROCESSING', amount: { refund: 100 } });
		const headers = weChatHeaders(Object.fromEntries(Object.entries(signWeChatBody(platform.privateKey, PUBLIC_KEY_ID, body)).map(([k, v]) => [k.toLowerCase(), v])));
		const params = { timestamp: headers.timestamp as string, nonce: headers.nonce as string, serial: headers.serial as string, signature: headers.signature as string };
		expect(params.serial).toBe(PUBLIC_KEY_ID);
		await expect(pay.verifySign({ ...params, body })).resolves.toBe(true);
		await expect(pay.verifySign({ ...params, body: body.replace('100', '999') })).resolves.toBe(false);
	});

	it('a body signed by plain crypto (the WeChat Pay scheme) is accepted by weChatSignatureProblem', () => {
		const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';
		const timestamp = unixSeconds();
		const nonceStr = 'fdasflkja484w';
		const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonceStr}\n${body}\n`).sign(platform.privatePem, 'base64');
		const headers = { timestamp, nonce: nonceStr, signature, serial: PUBLIC_KEY_ID };
		expect(weChatSignatureProblem(headers, body, platform.publicKey, PUBLIC_KEY_ID)).toBeUndefined();
		expect(weChatSignatureProblem(headers, body, stranger.publicKey, PUBLIC_KEY_ID)).toMatch(/does not verify/);
		expect(weChatSignatureProblem(headers, `${body} `, platform.publicKey, PUBLIC_KEY_ID)).toMatch(/does not verify/);
		// the public key as WeChat Pay's merchant platform shows it (bare base64 body) verifies the same
		expect(weChatSignatureProblem(headers, body, parsePublicKey('WeChat Pay Public Key', pemBody(platform.publicPem)), PUBLIC_KEY_ID)).toBeUndefined();
		// another serial than the credential's Public Key ID, or a stale timestamp, is refused whatever the signature
		expect(weChatSignatureProblem({ ...headers, serial: 'PUB_KEY_ID_OTHER' }, body, platform.publicKey, PUBLIC_KEY_ID)).toMatch(/Public Key ID/);
		expect(weChatSignatureProblem(headers, body, platform.publicKey, PUBLIC_KEY_ID, Date.now() + 301_000)).toMatch(/5 minutes/);
	});

	it('encryptResource output decrypts with the SDK decipher_gcm', () => {
		const transaction = { mchid: MCH_ID, out_trade_no: 'T1', transaction_id: '4200000001', trade_state: 'SUCCESS', amount: { total: 250 }, attach: '机器=1&x=y' };
		const resource = encryptResource(API_V3_KEY, JSON.stringify(transaction), 'transaction', 'transaction');
		expect(resource.algorithm).toBe('AEAD_AES_256_GCM');
		// encryptResource's fields are typed unknown (WeChatResource is also the shape of untrusted input)
		const [ciphertext, associatedData, nonceStr] = [resource.ciphertext, resource.associated_data, resource.nonce] as string[];
		expect(pay.decipher_gcm(ciphertext, associatedData, nonceStr, API_V3_KEY)).toEqual(transaction);
	});

	/** AES-256-GCM as WeChat Pay's documentation describes it: base64(ciphertext ‖ 16-byte tag), 12-char nonce. */
	function docEncrypt(key: string, plaintext: string, associatedData: string) {
		const nonceStr = randomBytes(6).toString('hex');
		const cipher = createCipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(nonceStr));
		cipher.setAAD(Buffer.from(associatedData));
		const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
		return { algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: associatedData, nonce: nonceStr, original_type: 'transaction' };
	}

	it('a resource encrypted as the documentation describes decrypts with decryptResource (and with the SDK)', () => {
		const plaintext = JSON.stringify({ transaction_id: '4200000002', payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, attach: '中文' });
		const resource = docEncrypt(API_V3_KEY, plaintext, 'transaction');
		expect(decryptResource(API_V3_KEY, resource)).toBe(plaintext);
		expect(pay.decipher_gcm(resource.ciphertext, resource.associated_data, resource.nonce, API_V3_KEY)).toEqual(JSON.parse(plaintext));
	});

	it('a flipped ciphertext byte, a flipped tag byte, other associated data or a wrong APIv3 key: decryptResource throws', () => {
		const resource = docEncrypt(API_V3_KEY, '{"transaction_id":"4200000003"}', 'transaction');
		const flip = (at: number) => {
			const bytes = Buffer.from(resource.ciphertext, 'base64');
			bytes[at] ^= 0x01;
			return { ...resource, ciphertext: bytes.toString('base64') };
		};
		expect(() => decryptResource(API_V3_KEY, flip(0))).toThrow(/does not decrypt/);
		expect(() => decryptResource(API_V3_KEY, flip(Buffer.from(resource.ciphertext, 'base64').length - 1))).toThrow(/does not decrypt/);
		expect(() => decryptResource(API_V3_KEY, { ...resource, associated_data: 'certificate' })).toThrow(/does not decrypt/);
		expect(() => decryptResource('b'.repeat(32), resource)).toThrow(/does not decrypt/);
		expect(() => decryptResource(API_V3_KEY, { ...resource, algorithm: 'AEAD_AES_128_GCM' })).toThrow(/unsupported/);
		// and the error never carries the key
		let thrown: unknown;
		try {
			decryptResource('c'.repeat(32), resource);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(Error);
		expect((thrown as Error).message).not.toContain('c'.repeat(32));
	});
});

describe('older WeChat Pay merchants: a platform certificate instead of the public key', () => {
	it('a certificate made by openssl for the platform key verifies what that key signed', () => {
		const dir = mkdtempSync(join(tmpdir(), 'wxcert-'));
		try {
			writeFileSync(join(dir, 'key.pem'), platform.privatePem, { mode: 0o600 });
			execFileSync('openssl', ['req', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=WeChat Pay platform (test)', '-days', '1', '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
			const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
			expect(certificate).toContain('BEGIN CERTIFICATE');
			const key = parsePublicKey('WeChat Pay Public Key', certificate);
			const body = '{"id":"EV-1"}';
			const headers = weChatHeaders(signWeChatBody(platform.privateKey, 'CERT-SERIAL-1', body));
			expect(weChatSignatureProblem(headers, body, key, 'CERT-SERIAL-1')).toBeUndefined();
			expect(weChatSignatureProblem(headers, '{"id":"EV-2"}', key, 'CERT-SERIAL-1')).toMatch(/does not verify/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
