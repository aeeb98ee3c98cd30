import { resource } from '../resource';
import * as getAll from './getAll.operation';

export const product = resource('product', { getAll }, 'getAll');
