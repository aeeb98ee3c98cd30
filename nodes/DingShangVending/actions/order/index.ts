import { resource } from '../resource';
import * as create from './create.operation';
import * as finishPayment from './finishPayment.operation';
import * as get from './get.operation';
import * as update from './update.operation';

export const order = resource('order', { create, get, update, finishPayment }, 'update');
