import { DELIVERY_METHOD } from '../nodes/shared/dingshang/protocol';
import { invalidParams } from './envelope';
import { optionalText, positiveInt, readNotifyUrl, requireMethod } from './params';
import type { ApiRoute } from './routeTypes';

/** Put delivery, get delivery and the test dispense (the life cycle itself lives in dispense.ts). */

export const DELIVERY_ROUTES: ApiRoute[] = [
	{
		method: 'POST',
		// Before /deliveries/{delivery_id}, which would match "debug" too.
		pattern: /^\/deliveries\/debug$/,
		key: 'POST /deliveries/debug',
		input: 'signed',
		handler: ({ dispenser }, { machine, params }) => {
			requireMethod(params.method, [DELIVERY_METHOD]);
			const channel = optionalText(params.channel_name);
			if (channel === undefined) throw invalidParams('channel_name is required');
			if (!/^[A-Z]\d{1,3}$/.test(channel)) throw invalidParams('channel_name must look like "A1"');
			return dispenser.view(dispenser.debug(machine, channel, readNotifyUrl(params.notify_url)), true);
		},
	},
	{
		method: 'POST',
		pattern: /^\/deliveries$/,
		key: 'POST /deliveries',
		input: 'signed',
		handler: ({ dispenser }, { machine, params }) => {
			requireMethod(params.method, [DELIVERY_METHOD]);
			const orderId = positiveInt(params.order_id, 'order_id');
			const recordId = positiveInt(params.record_id, 'record_id');
			return dispenser.view(dispenser.put(machine, orderId, recordId), true);
		},
	},
	{
		method: 'POST',
		pattern: /^\/deliveries\/([^/]+)$/,
		key: 'POST /deliveries/{delivery_id}',
		input: 'signed',
		handler: ({ dispenser }, { machine, param }) => {
			if (!param || !/^\d{1,20}$/.test(param)) throw invalidParams('delivery_id must be numeric');
			return dispenser.view(dispenser.find(machine, param), false);
		},
	},
];
