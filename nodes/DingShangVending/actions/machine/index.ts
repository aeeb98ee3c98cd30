import { resource } from '../resource';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export const machine = resource('machine', { get, getAll }, 'getAll');
