import { jsonFieldPath } from '../../nodes/shared/common/itemParameters';

/** Which expressions itemParameters.ts answers itself (a plain `$json` field read) and which go to n8n. */
describe('jsonFieldPath', () => {
	it.each([
		['={{ $json.order_id }}', ['order_id']],
		['={{$json.order_id}}', ['order_id']],
		['={{ $json.body.order_id }}', ['body', 'order_id']],
		['={{ $json["order id"] }}', ['order id']],
		["={{ $json['订单'].id }}", ['订单', 'id']],
		['={{ $json.$x._y }}', ['$x', '_y']],
	])('%s reads %j from the item', (expression, path) => {
		expect(jsonFieldPath(expression)).toEqual(path);
	});

	it.each([
		'{{ $json.order_id }}', // no leading "=": not an expression, a literal text
		'={{ $json }}',
		'={{ $json.order_id + 1 }}',
		'={{ $json.order_id ?? 5 }}',
		'={{ $json.a.toString() }}',
		'={{ $json[0] }}',
		'={{ $json["a"]["b"] }} x',
		'=id {{ $json.order_id }}',
		'={{ $json.a }}{{ $json.b }}',
		'={{ $input.item.json.order_id }}',
		'={{ $("Webhook").item.json.order_id }}',
		'={{ $json.a-b }}',
		'={{ $json["a\\"b"] }}',
		'={{ $json.1a }}',
	])('%s goes to n8n', (expression) => {
		expect(jsonFieldPath(expression)).toBeUndefined();
	});

	it('only strings are expressions', () => {
		expect(jsonFieldPath(60)).toBeUndefined();
		expect(jsonFieldPath({ __rl: true, mode: 'id', value: '={{ $json.a }}' })).toBeUndefined();
	});
});
