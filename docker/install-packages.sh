#!/bin/sh
# Installs community packages the way n8n's own installer does (n8n 2.41.1,
# CommunityPackagesService.downloadPackage), before any n8n process starts:
#   npm pack <name>@<version> in ~/.n8n/nodes → unpack into node_modules/<name>
#   → drop dev/peer/optional dependencies from its package.json
#   → npm install inside it with n8n's flags → record it in ~/.n8n/nodes/package.json.
# Usage: install-packages.sh <name>@<version>...   (NODES_DIR: default /home/node/.n8n/nodes)
set -eu
nodes_dir="${NODES_DIR:-/home/node/.n8n/nodes}"
[ "$#" -gt 0 ] || { echo 'install-packages: no package given' >&2; exit 2; }
mkdir -p "$nodes_dir/node_modules"
cd "$nodes_dir"

for spec in "$@"; do
	name="${spec%@*}"
	# A pinned version is required: n8n would otherwise install `latest` on every start.
	if [ -z "$name" ] || [ "$name" = "$spec" ]; then
		echo "install-packages: '$spec' is not <name>@<version>" >&2
		exit 2
	fi
	dir="node_modules/$name"
	rm -rf "$dir"
	mkdir -p "$dir"
	tarball="$(npm pack "$spec" --quiet)"
	tar -xzf "$tarball" -C "$dir" --strip-components=1
	rm -f "$tarball"
	version="$(node -e '
		const fs = require("fs");
		const file = process.argv[1];
		const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(fs.readFileSync(file, "utf8"));
		fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
		process.stdout.write(manifest.version);
	' "$dir/package.json")"
	(cd "$dir" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true --package-lock=false)
	node -e '
		const fs = require("fs");
		const [name, version] = process.argv.slice(1);
		const list = fs.existsSync("package.json") ? JSON.parse(fs.readFileSync("package.json", "utf8")) : { name: "installed-nodes", private: true, dependencies: {} };
		list.dependencies = { ...list.dependencies, [name]: version };
		fs.writeFileSync("package.json", JSON.stringify(list, null, 2));
	' "$name" "$version"
	echo "install-packages: $name@$version installed in $nodes_dir"
done

# Run as root (a fresh volume is root-owned); n8n runs as `node`.
if [ "$(id -u)" = 0 ] && id node >/dev/null 2>&1; then chown -R node:node "$nodes_dir"; fi
