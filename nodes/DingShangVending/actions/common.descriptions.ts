import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Fields several operations share, defined once and shown per resource/operation. */

/** Node versions before 1.2 keep plain text fields (saved workflows); 1.2 picks from lists. */
const BEFORE_LISTS = { '@version': [{ _cnd: { lt: 1.2 } }] };
const WITH_LISTS = { '@version': [{ _cnd: { gte: 1.2 } }] };

/**
 * A field as a plain string (versions 1, 1.1) and as a resource locator "From list / By ID"
 * (1.2+), under one name: `getNodeParameter(name, i, '', { extractValue: true })` reads both.
 */
function listOrId(
	plain: INodeProperties,
	list: { searchListMethod: string; placeholder: string },
	id: { regex: string; errorMessage: string },
): INodeProperties[] {
	const show = plain.displayOptions?.show ?? {};
	return [
		{ ...plain, displayOptions: { show: { ...show, ...BEFORE_LISTS } } },
		{
			...plain,
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: list.placeholder,
					typeOptions: { searchListMethod: list.searchListMethod, searchable: true },
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: plain.placeholder,
					validation: [{ type: 'regex', properties: { regex: id.regex, errorMessage: id.errorMessage } }],
				},
			],
			displayOptions: { show: { ...show, ...WITH_LISTS } },
		},
	];
}

export function machineNoField(resource: string, operations: string[]): INodeProperties[] {
	return listOrId(
		{
			displayName: 'Machine No',
			hint: 'The machine\'s number from the DingShang dashboard, 8 or more digits',
			name: 'machineNo',
			type: 'string',
			required: true,
			default: '',
			placeholder: '10000001',
			description: 'The number of the vending machine (8 digits; some merchants have longer ones), as shown in the DingShang dashboard',
			displayOptions: { show: { resource: [resource], operation: operations } },
		},
		{ searchListMethod: 'searchMachines', placeholder: 'Select a machine...' },
		{ regex: '^\\d{8,}$', errorMessage: 'A machine number has 8 or more digits' },
	);
}

/** Trade ID of Create Order and Consume: the merchant's own reference, generated when empty. */
export function tradeIdField(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Trade ID',
		hint: 'Your own order or payment number, 1–32 characters; empty = one is made for you',
		name: 'tradeId',
		type: 'string',
		default: '',
		description:
			'Your own unique reference for this order, e.g. your order or payment number (1–32 letters, digits or symbols; the platform prefers 20–32 digits). Leave empty to generate one.',
		displayOptions: { show },
	};
}

export function orderIdField(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Order ID',
		hint: 'The DingShang order: Create Order outputs it as order_id',
		name: 'orderId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '60',
		description: 'The DingShang order ID, returned when the order was created',
		displayOptions: { show: { resource: [resource], operation: operations } },
	};
}

export function productIdField(resource: string, operations: string[], show?: IDisplayOptions['show']): INodeProperties[] {
	return listOrId(
		{
			displayName: 'Product ID',
			hint: 'A product this machine stocks',
			name: 'productId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '101',
			description: 'The DingShang product ID stocked in this machine, as Get Many Products shows it',
			displayOptions: { show: show ?? { resource: [resource], operation: operations } },
		},
		{ searchListMethod: 'searchProducts', placeholder: 'Select a product of the machine...' },
		{ regex: '^\\d+$', errorMessage: 'A product ID is a whole number' },
	);
}

export function channelNameField(resource: string, operations: string[]): INodeProperties[] {
	return listOrId(
		{
			displayName: 'Channel Name',
			hint: 'The channel to drop from, e.g. A1',
			name: 'channelName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'A1',
			description: 'The channel, e.g. A1 — as Get Many Channels shows it',
			displayOptions: { show: { resource: [resource], operation: operations } },
		},
		{ searchListMethod: 'searchChannels', placeholder: 'Select a channel of the machine...' },
		{ regex: '^[A-Za-z]\\d{1,3}$', errorMessage: 'A channel is a letter and a number, e.g. A1' },
	);
}

export function notifyUrlField(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Notify URL',
		name: 'notifyUrl',
		type: 'string',
		default: '',
		placeholder: 'https://your-n8n/webhook/…/delivery-result?token=…',
		description: 'Where DingShang posts the dispense result',
		hint: 'Your Delivery Result Trigger\'s Production URL, token included; the machine number is added to it',
		displayOptions: { show: { resource: [resource], operation: operations } },
	};
}
