import { createSign, generateKeyPairSync, type KeyObject } from 'crypto';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { dirname, join } from 'path';

import { AlipaySdk } from 'alipay-sdk';

import { fieldText, httpUrlField, KeyError, parsePrivateKey, parsePublicKey, requiredField } from '../../shared/keys';
import { readAlipayAnswer, signAlipayAnswer, signAlipayNotification, signedAlipayRequest, verifyAlipayNotification, verifyAlipayRequest } from '../nodes/shared/alipay/api';

/**
 * An independent peer checks our Alipay crypto: the official Alipay SDK (alipay-sdk) signs and
 * verifies the same values our code does. Also packages/shared/keys.ts: keys as merchants paste them.
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

let merchant: Pair; // Alipay app key
let platform: Pair; // Alipay public key
let stranger: Pair;
beforeAll(() => {
	merchant = rsaPair();
	platform = rsaPair();
	stranger = rsaPair();
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

	it('text fields: trimmed; an empty one names the field; a URL must be http(s), its trailing / dropped', () => {
		expect(fieldText('  2021000122671080 ')).toBe('2021000122671080');
		expect(fieldText(undefined)).toBe('');
		expect(fieldText(null)).toBe('');
		expect(fieldText(2021)).toBe('2021');
		expect(requiredField({ appId: ' 2021 ' }, 'appId', 'App ID')).toBe('2021');
		expect(failure(() => requiredField({ appId: '  ' }, 'appId', 'App ID')).message).toBe('Credential field "App ID" is empty');
		expect(failure(() => requiredField({}, 'appId', 'App ID'))).toBeInstanceOf(KeyError);
		expect(httpUrlField({ u: 'https://openapi.alipay.com/gateway.do' }, 'u', 'Gateway URL')).toBe('https://openapi.alipay.com/gateway.do');
		expect(httpUrlField({ u: 'http://127.0.0.1:8080/' }, 'u', 'Base URL')).toBe('http://127.0.0.1:8080');
		for (const bad of ['openapi.alipay.com/gateway.do', 'ftp://example.com', 'javascript:alert(1)']) {
			expect(failure(() => httpUrlField({ u: bad }, 'u', 'Gateway URL')).message).toMatch(/^Credential field "Gateway URL" must be an http\(s\) URL/);
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

