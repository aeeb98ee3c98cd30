import { GUARDED_FOR_AGENTS, GUARDED_OPERATIONS, GUARDED_RESOURCES, LIST_RESOURCES, RESOURCES, SUBTITLE } from '../../nodes/DingShangVending/actions/router';

/** The DingShang Vending node is built from one table of operations; these are the things derived from it. */
describe('the table of operations', () => {
	it("each resource's Operation list defaults to one of its operations and lists every operation once", () => {
		for (const [name, resource] of Object.entries(RESOURCES)) {
			const dropdown = resource.description[0];
			const values = (dropdown.options ?? []).map((o) => ('value' in o ? o.value : undefined));
			expect([name, values.sort()]).toEqual([name, Object.keys(resource.operations).sort()]);
			expect(values).toContain(dropdown.default);
		}
	});

	it('the agent guard names only operations that exist, and the switch is shown for exactly those resources and operations', () => {
		for (const key of Object.keys(GUARDED_FOR_AGENTS)) {
			const [resource, operation] = key.split('.');
			expect([key, operation in (RESOURCES[resource]?.operations ?? {})]).toEqual([key, true]);
		}
		expect(GUARDED_RESOURCES.sort()).toEqual(['delivery', 'order', 'pickupCode']);
		expect(GUARDED_OPERATIONS.sort()).toEqual(['consume', 'finishPayment', 'put', 'test', 'update']);
		expect(LIST_RESOURCES.sort()).toEqual(['category', 'channel', 'machine', 'pickupCode', 'product']);
	});

	it('the subtitle shows the operation as the form names it', () => {
		const table = JSON.parse(/\(\s*(\{.*\})\s*\)/.exec(SUBTITLE)?.[1] ?? '{}') as Record<string, string>;
		expect(table['delivery.put']).toBe('Dispense: Delivery');
		expect(table['delivery.test']).toBe('Test Dispense: Delivery');
		expect(table['pickupCode.getAll']).toBe('Get Many: Pickup Code');
		expect(Object.keys(table)).toHaveLength(Object.values(RESOURCES).reduce((n, r) => n + Object.keys(r.operations).length, 0));
	});
});
