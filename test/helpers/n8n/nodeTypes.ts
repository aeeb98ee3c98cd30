/**
 * The node-types registry n8n's CLI builds from the installed packages, over a plain map here:
 * the tests hand in the node types they run (ours, plus test-only ones).
 */
import './env'; // first: before n8n-workflow/n8n-core are loaded

import {
	ApplicationError,
	NodeHelpers,
	type IDataObject,
	type INode,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
} from 'n8n-workflow';

export type AnyNodeType = INodeType | IVersionedNodeType;

export class TestNodeTypes implements INodeTypes {
	constructor(readonly types: Record<string, AnyNodeType>) {}

	getByName(name: string): AnyNodeType {
		const type = this.types[name];
		if (!type) throw new ApplicationError(`Unknown node type "${name}" (not given to the harness)`);
		return type;
	}

	getByNameAndVersion(name: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(name), version);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(Object.keys(this.types).map((name) => [name, { className: name, sourcePath: '' }]));
	}
}

/** Latest version of a node type: what the editor puts on a newly added node. */
export function latestVersion(type: AnyNodeType): number {
	if ('nodeVersions' in type) return type.currentVersion;
	const { version } = type.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/** Credential type names → the credentials reference a workflow node stores (ids are fake). */
export function credentialRefs(names: string[]): INode['credentials'] {
	if (names.length === 0) return undefined; // a node with no credential selected has none at all
	return Object.fromEntries(names.map((name) => [name, { id: `test-${name}`, name: `${name} (test)` }]));
}
