/** Where things are: the repository, its package manifest, the example workflows. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
/** The dev-time tools' folders (n8n-2, n8n-1, scanner), each with its own lock file. */
export const TOOLS_DIR = join(REPO_ROOT, 'scripts');
