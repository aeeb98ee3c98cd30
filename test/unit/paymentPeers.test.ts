import { createCipheriv, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'crypto';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import { tmpdir } from 'os';
import type { AddressInfo } from 'net';
import { dirname, join } from 'path';

import { AlipaySdk } from 'alipay-sdk';
import Pay from 'wechatpay-node-v3';

import { readAlipayAnswer, signAlipayAnswer, signAlipayNotification, signedAlipayRequest, verifyAlipayNotification, verifyAlipayRequest } from '../../nodes/shared/payments/alipay';
import { KeyError, parsePrivateKey, parsePublicKey } from '../../nodes/shared/payments/keys';
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
} from '../../nodes/shared/payments/weChatPay';

/**
 * Independent peers check our payment crypto: the official Alipay SDK (alipay-sdk) and the
 * widely used wechatpay-node-v3 sign, verify and decrypt the same values our code does.
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

let merchant: Pair; // WeChat Pay merchant key / Alipay app key
let platform: Pair; // WeChat Pay platform public key / Alipay public key
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
		try {
			decryptResource('c'.repeat(32), resource);
		} catch (error) {
			expect((error as Error).message).not.toContain('c'.repeat(32));
		}
	});
});

// ---------------------------------------------------------------------------------------------
describe('Alipay RSA2 against the official alipay-sdk', () => {
	const APP_ID = '2021000122671080';
	const REFUND = 'alipay.trade.refund';
	type SignFn = (method: string, params: Record<string, unknown>, config: unknown) => Record<string, string>;
	// The SDK's own signer (not exported through its package entry point).
	const sdkUtil = () => require(join(dirname(require.resolve('alipay-sdk')), 'util.js')) as { sign: SignFn };

	/** An SDK whose "Alipay public key" is whichever key the test checks signatures with. */
	const sdk = (verifyWith: string, gateway?: string) =>
		new AlipaySdk({ appId: APP_ID, privateKey: merchant.privatePem, keyType: 'PKCS8', alipayPublicKey: verifyWith, gateway, timeout: 5000 });

	const BIZ = { out_trade_no: 'T20240611000001', refund_amount: '0.01', out_request_no: 'R20240611000001', refund_reason: '缺货 退款 & a=b' };

	it('signedAlipayRequest: the SDK signer makes the same sign over the same params', () => {
		const ours = signedAlipayRequest(APP_ID, REFUND, BIZ, parsePrivateKey('App Private Key', merchant.privatePem));
		const s = sdk(merchant.publicPem);
		const theirs = sdkUtil().sign(REFUND, { timestamp: ours.timestamp, format: 'JSON', biz_content: BIZ }, s.config);
		expect(theirs).toEqual(ours); // every parameter, sign included (PKCS#1 v1.5 is deterministic)
	});

	it('signedAlipayRequest: verifies with the SDK (sign_type kept in the content, as the gateway checks requests)', () => {
		const ours = signedAlipayRequest(APP_ID, REFUND, BIZ, parsePrivateKey('App Private Key', merchant.privatePem));
		const s = sdk(merchant.publicPem);
		// notifyRSACheck (private in the typings) checks one exact content; checkNotifySignV2 also retries without sign_type.
		const check = (s as unknown as { notifyRSACheck(args: Record<string, string>, sign: string, signType: string, raw: boolean): boolean }).notifyRSACheck.bind(s);
		const { sign, ...unsigned } = ours;
		expect(check(unsigned, sign, 'RSA2', true)).toBe(true);
		const { sign_type: _signType, ...withoutSignType } = unsigned;
		expect(check(withoutSignType, sign, 'RSA2', true)).toBe(false); // sign_type is part of what was signed
		expect(s.checkNotifySignV2(ours)).toBe(true);
		expect(check({ ...unsigned, biz_content: unsigned.biz_content.replace('0.01', '9.99') }, sign, 'RSA2', true)).toBe(false);
		expect(sdk(stranger.publicPem).checkNotifySignV2(ours)).toBe(false);
	});

	const NOTIFY = {
		notify_time: '2024-06-11 10:00:05',
		notify_type: 'trade_status_sync',
		notify_id: 'ac05099524730693a8b330c5ecf72da9786',
		charset: 'utf-8',
		version: '1.0',
		app_id: APP_ID,
		trade_no: '2024061122001404081400000001',
		out_trade_no: 'T20240611000001',
		trade_status: 'TRADE_SUCCESS',
		total_amount: '2.50',
		receipt_amount: '2.50',
		buyer_id: '2088102122524333',
		subject: '可口可乐 330ml',
		gmt_payment: '2024-06-11 10:00:04',
		passback_params: 'machine_no=10000001&order_id=1234',
	};

	it('signAlipayNotification passes the SDK checkNotifySign / checkNotifySignV2 with the platform key', () => {
		const signed = signAlipayNotification(NOTIFY, platform.privateKey);
		expect(signed.sign_type).toBe('RSA2');
		const s = sdk(platform.publicPem);
		expect(s.checkNotifySign({ ...signed })).toBe(true);
		expect(s.checkNotifySignV2({ ...signed })).toBe(true);
		expect(s.checkNotifySign({ ...signed, total_amount: '250.00' })).toBe(false);
		expect(sdk(stranger.publicPem).checkNotifySign({ ...signed })).toBe(false);
	});

	it('a notification signed by plain crypto as Alipay documents it verifies with ours', () => {
		const content = Object.keys(NOTIFY)
			.sort()
			.map((key) => `${key}=${NOTIFY[key as keyof typeof NOTIFY]}`)
			.join('&');
		const sign = createSign('RSA-SHA256').update(content, 'utf8').sign(platform.privatePem, 'base64');
		expect(verifyAlipayNotification({ ...NOTIFY, sign, sign_type: 'RSA2' }, platform.publicKey)).toBe(true);
		expect(verifyAlipayNotification({ ...NOTIFY, sign, sign_type: 'RSA' }, platform.publicKey)).toBe(false);
		expect(verifyAlipayNotification({ ...NOTIFY, subject: '百事可乐', sign, sign_type: 'RSA2' }, platform.publicKey)).toBe(false);
	});

	describe('signed gateway answers through sdk.exec over HTTP', () => {
		let server: Server;
		let gateway: string;
		let answer = '';
		const received: Array<Record<string, string>> = [];
		beforeAll(async () => {
			server = createServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (c: Buffer) => chunks.push(c));
				req.on('end', () => {
					const url = new URL(req.url ?? '/', 'http://127.0.0.1');
					received.push({ ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) });
					res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' }).end(answer);
				});
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`;
		});
		afterAll(async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		});

		const RESPONSE = { code: '10000', msg: 'Success', buyer_logon_id: '159****5620', fund_change: 'Y', gmt_refund_pay: '2024-06-11 10:05:00', out_trade_no: 'T20240611000001', refund_fee: '0.01', trade_no: '2024061122001404081400000001', buyer_user_id: '2088101117955611', send_back_fee: '0.01', note: '退款 "ok" {}' };

		it('the SDK accepts our signed answer; our reader agrees', async () => {
			answer = signAlipayAnswer(REFUND, RESPONSE, platform.privateKey);
			const result = (await sdk(platform.publicPem, gateway).exec(REFUND, { bizContent: BIZ }, { validateSign: true })) as Record<string, unknown>;
			expect(result).toMatchObject({ code: '10000', refundFee: '0.01', outTradeNo: 'T20240611000001', note: '退款 "ok" {}' });
			expect(readAlipayAnswer(answer, REFUND, platform.publicKey)).toMatchObject({ signed: true, signatureValid: true, response: RESPONSE });
			// and the SDK's own request verifies with our request verifier (app public key)
			const request = received.at(-1)!;
			expect(request.method).toBe(REFUND);
			expect(verifyAlipayRequest(request, merchant.publicKey)).toBe(true);
			expect(verifyAlipayRequest({ ...request, biz_content: request.biz_content.replace('0.01', '0.02') }, merchant.publicKey)).toBe(false);
		});

		it('a tampered answer: the SDK throws, our reader says signatureValid false', async () => {
			const good = signAlipayAnswer(REFUND, RESPONSE, platform.privateKey);
			const tamperedValue = good.replace('"refund_fee":"0.01"', '"refund_fee":"9.99"');
			expect(tamperedValue).not.toBe(good);
			const otherSign = signAlipayAnswer(REFUND, { ...RESPONSE, refund_fee: '9.99' }, platform.privateKey).match(/"sign":"([^"]+)"/)![1];
			const tamperedSign = good.replace(/"sign":"[^"]+"/, `"sign":"${otherSign}"`);
			const byStranger = signAlipayAnswer(REFUND, RESPONSE, stranger.privateKey);
			for (const text of [tamperedValue, tamperedSign, byStranger]) {
				answer = text;
				await expect(sdk(platform.publicPem, gateway).exec(REFUND, { bizContent: BIZ }, { validateSign: true })).rejects.toThrow(/验签失败/);
				expect(readAlipayAnswer(text, REFUND, platform.publicKey)).toMatchObject({ signed: true, signatureValid: false });
			}
		});

		it('an unsigned error answer: our reader reports it unsigned (not valid)', () => {
			const text = '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"}}';
			expect(readAlipayAnswer(text, REFUND, platform.publicKey)).toMatchObject({ signed: false, signatureValid: false, response: { sub_code: 'isv.invalid-app-id' } });
		});
	});
});

// ---------------------------------------------------------------------------------------------
describe('keys.ts: keys as merchants paste them', () => {
	const FIELD = 'App Private Key';
	const samePublic = (key: KeyObject, pair: Pair) =>
		expect((key.type === 'private' ? (require('crypto') as typeof import('crypto')).createPublicKey(key) : key).export({ format: 'pem', type: 'spki' })).toBe(pair.publicPem);

	it('private keys: PEM, PEM with literal "\\n", bare base64 body, PKCS#1 "RSA PRIVATE KEY" (PEM and bare), spaces for line breaks', () => {
		const pkcs1 = merchant.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
		expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
		const forms = [merchant.privatePem, merchant.privatePem.replace(/\n/g, '\\n'), pemBody(merchant.privatePem), pkcs1, pemBody(pkcs1), merchant.privatePem.replace(/\n/g, ' '), `  ${merchant.privatePem}\n\n`];
		for (const text of forms) {
			const key = parsePrivateKey(FIELD, text);
			expect(key.type).toBe('private');
			samePublic(key, merchant);
		}
	});

	it('public keys: SPKI PEM, literal "\\n", bare base64, PKCS#1 "RSA PUBLIC KEY"', () => {
		const pkcs1 = platform.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string;
		for (const text of [platform.publicPem, platform.publicPem.replace(/\n/g, '\\n'), pemBody(platform.publicPem), pkcs1, pemBody(pkcs1)]) {
			samePublic(parsePublicKey('Alipay Public Key', text), platform);
		}
	});

	const failure = (make: () => unknown): KeyError => {
		try {
			make();
		} catch (error) {
			return error as KeyError;
		}
		throw new Error('expected a KeyError');
	};

	it('garbage: the error names the field and does not repeat the text', () => {
		const garbage = ['this is not a key: s3cr3tGarbageValue!', 'S3cr3tGarbageValueOnlyBase64Chars', `-----BEGIN PRIVATE KEY-----\nS3cr3tGarbageValueInPem\n-----END PRIVATE KEY-----`, pemBody(merchant.privatePem).slice(0, 200)];
		for (const text of garbage) {
			const error = failure(() => parsePrivateKey(FIELD, text));
			expect(error).toBeInstanceOf(KeyError);
			expect(error.message).toContain('Credential field "App Private Key"');
			expect(error.message).not.toMatch(/S3cr3tGarbage/i);
			expect(error.message).not.toContain(text.slice(0, 40));
		}
		const publicError = failure(() => parsePublicKey('WeChat Pay Public Key', 'S3cr3tGarbageValueOnlyBase64Chars'));
		expect(publicError.message).toContain('Credential field "WeChat Pay Public Key"');
		expect(publicError.message).not.toContain('S3cr3tGarbage');
		expect(failure(() => parsePrivateKey(FIELD, '   ')).message).toBe('Credential field "App Private Key" is empty');
		expect(failure(() => parsePrivateKey(FIELD, undefined)).message).toBe('Credential field "App Private Key" is empty');
	});

	it('an EC key: "an RSA key is needed"', () => {
		const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
		const ecPrivate = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
		const ecPublic = ec.publicKey.export({ format: 'pem', type: 'spki' }) as string;
		expect(failure(() => parsePrivateKey(FIELD, ecPrivate)).message).toMatch(/^Credential field "App Private Key" .*an RSA key is needed/);
		expect(failure(() => parsePrivateKey(FIELD, pemBody(ecPrivate))).message).toMatch(/an RSA key is needed/);
		expect(failure(() => parsePublicKey('Alipay Public Key', ecPublic)).message).toMatch(/^Credential field "Alipay Public Key" .*an RSA key is needed/);
		expect(failure(() => parsePrivateKey(FIELD, ecPrivate)).message).not.toContain(pemBody(ecPrivate).slice(0, 30));
	});

	it('a public key in the private key field is refused (PEM and bare body)', () => {
		for (const text of [platform.publicPem, pemBody(platform.publicPem), platform.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string]) {
			const error = failure(() => parsePrivateKey(FIELD, text));
			expect(error.message).toContain('Credential field "App Private Key"');
			expect(error.message).not.toContain(pemBody(platform.publicPem).slice(0, 30));
		}
	});

	it('a private key in a public key field is refused (PEM and bare body), without its text', () => {
		const pkcs1 = merchant.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
		for (const text of [merchant.privatePem, pemBody(merchant.privatePem), pkcs1, pemBody(pkcs1)]) {
			const error = failure(() => parsePublicKey('WeChat Pay Public Key', text));
			expect(error).toBeInstanceOf(KeyError);
			expect(error.message).toContain('Credential field "WeChat Pay Public Key"');
			expect(error.message).not.toContain(pemBody(text).slice(0, 30));
		}
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
