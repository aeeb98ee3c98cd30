import { resource } from '../resource';
import * as consume from './consume.operation';
import * as create from './create.operation';
import * as deleteCodes from './delete.operation';
import * as getAll from './getAll.operation';

export const pickupCode = resource('pickupCode', { consume, create, delete: deleteCodes, getAll }, 'consume');
