import { resource } from '../resource';
import * as getAll from './getAll.operation';

export const category = resource('category', { getAll }, 'getAll');
