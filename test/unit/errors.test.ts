import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { e2eMajors } from '../../scripts/local';
import { maskUrlTokens } from '../../nodes/shared/dingshang/secrets';
import { withMachineNo } from '../../nodes/shared/dingshang/orders';
import { DingShangFailure, failureCode, failureMessageZh, failureOf, toNodeError } from '../../nodes/shared/dingshang/failures';

/** The error a node throws: n8n's classes, with our classification still readable. */

const node: INode = {
	id: 'b6a3b4f0-0000-4000-8000-000000000001',
	name: 'Dispense',
	type: 'n8n-nodes-dingshang.dingShangVending',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const ctx = { getNode: () => node };

describe('toNodeError', () => {
	it('a platform refusal becomes a NodeApiError with the code, the message and the explanation (English; the Chinese for messageZh)', () => {
		const failure = new DingShangFailure('platform', 'DingShang error 4006: sorry, payload sign invalid', {
			code: 4006,
			platformMessage: 'sorry, payload sign invalid',
			httpStatus: 200,
		});
		const error = toNodeError(ctx, failure, 3);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('DingShang error 4006: sorry, payload sign invalid');
		expect(error.description).toMatch(/^DingShang code 4006: .*Signing Key/);
		expect(error.description).not.toMatch(/签名/);
		expect(failureMessageZh(failure)).toMatch(/^鼎商云错误码 4006：签名无效/);
		expect(error.context.itemIndex).toBe(3);
		expect(failureOf(error)).toBe(failure);
		expect(failureCode(error)).toBe(4006);
	});

	it('bad input becomes a NodeOperationError that says nothing was sent', () => {
		const error = toNodeError(ctx, new DingShangFailure('config', 'Invalid "Machine No": expected the 8-digit machine number'), 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('Machine No');
		expect(error.description).toMatch(/no request was sent/);
		expect(failureOf(error)?.kind).toBe('config');
	});

	it('a lost answer keeps its message (NodeApiError would swap in a generic ECONNRESET text) and its kind "unknown"', () => {
		const failure = new DingShangFailure('unknown', 'No answer from DingShang (ECONNRESET)', { cause: 'ECONNRESET' });
		const error = toNodeError(ctx, failure);
		expect(error.message).toBe('No answer from DingShang (ECONNRESET)');
		expect(error.description).toMatch(/result of this request is unknown/);
		expect(failureOf(error)?.kind).toBe('unknown');
	});

	it('anything else is treated as an unknown outcome, never as "not sent"', () => {
		const error = toNodeError(ctx, new TypeError('boom'));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(failureOf(error)?.kind).toBe('unknown');
	});

	it('adds a note; n8n errors pass through as they are', () => {
		const first = toNodeError(ctx, new DingShangFailure('platform', 'DingShang error 6047: stock', { code: 6047 }), 0, '(already handled: record 7)');
		expect(first.message).toBe('DingShang error 6047: stock (already handled: record 7)');
		const again = toNodeError(ctx, first, 0);
		expect(again).toBe(first);
		expect(failureCode(again)).toBe(6047);
	});
});

describe('e2eMajors (N8N_E2E)', () => {
	it('defaults to both majors, 2.x first, and reads one or both', () => {
		expect(e2eMajors(undefined)).toEqual([2, 1]);
		expect(e2eMajors('1')).toEqual([1]);
		expect(e2eMajors(' 2 , 2 ')).toEqual([2]);
	});

	it('refuses anything else, naming the variable', () => {
		expect(() => e2eMajors('3')).toThrow(/N8N_E2E/);
		expect(() => e2eMajors(',')).toThrow(/N8N_E2E/);
	});
});

describe('maskUrlTokens', () => {
	it('masks every token= query value and keeps the rest of the URL', () => {
		expect(maskUrlTokens('https://n8n.example/webhook/x?token=abc123&machine_no=1')).toBe('https://n8n.example/webhook/x?token=***&machine_no=1');
		expect(maskUrlTokens('a?x=1&TOKEN=s3cr3t#frag and b?token=zz')).toBe('a?x=1&TOKEN=***#frag and b?token=***');
		expect(maskUrlTokens('no token here: mytoken=1')).toBe('no token here: mytoken=1');
	});
});

describe('withMachineNo (Create Order → Notify URL)', () => {
	it('adds machine_no to the query, before a fragment, unless it is there', () => {
		expect(withMachineNo('https://n8n.example/webhook/x/delivery-result?token=t', '10000002')).toBe(
			'https://n8n.example/webhook/x/delivery-result?token=t&machine_no=10000002',
		);
		expect(withMachineNo('https://n8n.example/hook', '10000002')).toBe('https://n8n.example/hook?machine_no=10000002');
		expect(withMachineNo('https://n8n.example/hook?a=1#frag', '10000002')).toBe('https://n8n.example/hook?a=1&machine_no=10000002#frag');
		expect(withMachineNo('https://n8n.example/hook?machine_no=10000001', '10000002')).toBe('https://n8n.example/hook?machine_no=10000001');
	});
});
