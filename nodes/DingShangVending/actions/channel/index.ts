import { resource } from '../resource';
import * as getAll from './getAll.operation';

export const channel = resource('channel', { getAll }, 'getAll');
