import { changes, currentExample, isLow, stateOf, type AlertEvent, type ChannelView, type MachineView, type Threshold } from '../../nodes/DingShangVendingAlertsTrigger/alerts';

const ALL = new Set<AlertEvent>(['machine.offline', 'machine.online', 'channel.fault', 'channel.cleared', 'stock.low', 'stock.restocked']);
const AT = '2026-11-30T06:00:00.000Z';
const three: Threshold = { type: 'absolute', value: 3 };

const channel = (name: string, over: Partial<ChannelView> = {}): ChannelView => ({
	channel_name: name,
	floor_status: '1',
	good_id: 201,
	product_name: '矿泉水',
	stock: 50,
	capacity: 100,
	...over,
});
const machine = (no: string, over: Partial<MachineView> = {}): MachineView => ({ machine_no: no, machine_name: `M${no}`, online: true, channels: [channel('A1'), channel('A2')], ...over });

describe('Alerts trigger: what changed between two polls', () => {
	const before = stateOf([machine('10000001'), machine('10000002')], three);

	it('an unchanged poll emits nothing', () => {
		expect(changes(before, [machine('10000001'), machine('10000002')], three, ALL, AT)).toEqual([]);
	});

	it('offline, a stuck channel and low stock: one item each, explained in English and 中文', () => {
		const now = [machine('10000001', { online: false, channels: undefined }), machine('10000002', { channels: [channel('A1', { floor_status: '2' }), channel('A2', { stock: 3 })] })];
		const items = changes(before, now, three, ALL, AT);
		expect(items.map((i) => [i.event, i.machine_no, i.channel_name])).toEqual([
			['machine.offline', '10000001', undefined],
			['channel.fault', '10000002', 'A1'],
			['stock.low', '10000002', 'A2'],
		]);
		expect(items[1]).toMatchObject({ floor_status: '2', channelStatus: 'Product stuck in the channel', channelStatusZh: '商品卡货' });
		expect(String(items[1].message)).toContain('channel A1');
		expect(String(items[2].messageZh)).toContain('库存不足');
		expect(items[2]).toMatchObject({ stock: 3, threshold: 3, product_name: '矿泉水' });
	});

	it('an offline machine keeps its channels: back online with the same faults emits only "back online"', () => {
		const faulty = stateOf([machine('10000001', { channels: [channel('A1', { floor_status: '3' })] })], three);
		const offline = stateOf([machine('10000001', { online: false, channels: undefined })], three, faulty);
		expect(offline.machines['10000001'].channels.A1).toMatchObject({ fault: true });
		const back = changes(offline, [machine('10000001', { channels: [channel('A1', { floor_status: '3' })] })], three, ALL, AT);
		expect(back.map((i) => i.event)).toEqual(['machine.online']);
	});

	it('cleared and restocked; a different fault on a faulty channel is a new fault; events not chosen are left out', () => {
		const bad = stateOf([machine('10000001', { channels: [channel('A1', { floor_status: '2' }), channel('A2', { stock: 0 })] })], three);
		const fixed = changes(bad, [machine('10000001')], three, ALL, AT);
		expect(fixed.map((i) => i.event)).toEqual(['channel.cleared', 'stock.restocked']);
		const worse = changes(bad, [machine('10000001', { channels: [channel('A1', { floor_status: '47' }), channel('A2', { stock: 0 })] })], three, ALL, AT);
		expect(worse.map((i) => [i.event, i.floor_status])).toEqual([['channel.fault', '47']]);
		expect(changes(bad, [machine('10000001')], three, new Set<AlertEvent>(['stock.restocked']), AT).map((i) => i.event)).toEqual(['stock.restocked']);
	});

	it('a machine or channel seen for the first time is a baseline, not an alert', () => {
		expect(changes(before, [machine('10000003', { online: false, channels: undefined })], three, ALL, AT)).toEqual([]);
		expect(changes(before, [machine('10000001', { channels: [channel('A1'), channel('A2'), channel('B1', { stock: 0 })] })], three, ALL, AT)).toEqual([]);
	});

	it('threshold in percent of capacity; a "no such channel" is never low', () => {
		const percent: Threshold = { type: 'percent', value: 10 };
		expect(isLow(channel('A1', { stock: 10, capacity: 100 }), percent)).toBe(true);
		expect(isLow(channel('A1', { stock: 11, capacity: 100 }), percent)).toBe(false);
		expect(isLow(channel('A1', { stock: 0, floor_status: '0' }), three)).toBe(false);
	});

	it('the test event is a real current condition, else a machine state', () => {
		expect(currentExample([machine('10000001'), machine('10000002', { online: false })], three, AT)).toMatchObject({ event: 'machine.offline', machine_no: '10000002' });
		expect(currentExample([machine('10000001', { channels: [channel('A1', { stock: 1 })] })], three, AT)).toMatchObject({ event: 'stock.low', channel_name: 'A1' });
		expect(currentExample([machine('10000001')], three, AT)).toMatchObject({ event: 'machine.online', machine_no: '10000001' });
		expect(currentExample([], three, AT)).toBeUndefined();
	});
});
