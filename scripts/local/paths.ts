/** Where things are: the repository, its packages' manifests, the example workflows. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
type Manifest = { name: string; version: string; workspaces?: string[] };
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
/** The DingShang package (the repository's root). */
export const PACKAGE = manifest(REPO_ROOT);
/** Every package a merchant installs: DingShang, then the workspaces (WeChat Pay, Alipay), with their folders. */
export const PACKAGES: Array<Manifest & { dir: string }> = [REPO_ROOT, ...(PACKAGE.workspaces ?? []).map((w) => join(REPO_ROOT, w))].map((dir) => ({ ...manifest(dir), dir }));
/** The node type prefix of each package: `${WECHAT_PAY}.weChatPay`… */
export const WECHAT_PAY = 'n8n-nodes-wechatpay';
export const ALIPAY = 'n8n-nodes-alipay';
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
/** The dev-time tools' folders (n8n-2, n8n-1, scanner), each with its own lock file. */
export const TOOLS_DIR = join(REPO_ROOT, 'scripts');
