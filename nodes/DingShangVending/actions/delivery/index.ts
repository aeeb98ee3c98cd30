import { resource } from '../resource';
import * as get from './get.operation';
import * as put from './put.operation';
import * as test from './test.operation';

export { OUTPUTS_EXPRESSION } from './put.operation';

// `put` is the platform's name (device.delivery.put); saved workflows use it.
export const delivery = resource('delivery', { put, get, test }, 'put');
