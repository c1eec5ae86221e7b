#!/usr/bin/env bash
# Re-vendors the GraphiQL page's third-party files from the npm registry: the pinned
# production builds below and each package's LICENSE, into vendor/. `npm pack` checks every
# tarball against the registry's integrity hash; SHA256SUMS then pins the extracted files,
# so `./vendor.sh --check` tells whether vendor/ is exactly what these versions ship.
# Changing a version: edit PACKAGES, run ./vendor.sh --update, commit vendor/ and SHA256SUMS
# (the served paths carry a content hash, so browsers fetch the new files at once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# package@version  file-in-package  name-in-vendor/
PACKAGES=(
    "react@18.3.1 umd/react.production.min.js react.production.min.js"
    "react-dom@18.3.1 umd/react-dom.production.min.js react-dom.production.min.js"
    "graphiql@4.1.2 dist/index.umd.js graphiql.min.js"
    "graphiql@4.1.2 dist/style.css graphiql.min.css"
)

mode=${1:---check}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"

for entry in "${PACKAGES[@]}"; do
    read -r spec file name <<<"$entry"
    package=${spec%@*}
    if [ ! -d "$work/$spec" ]; then
        mkdir -p "$work/$spec"
        (cd "$work" && npm pack --silent "$spec" >/dev/null)
        tar -xzf "$work/$package-${spec##*@}.tgz" -C "$work/$spec"
        cp "$work/$spec/package/LICENSE" "$work/out/LICENSE.$package"
    fi
    cp "$work/$spec/package/$file" "$work/out/$name"
done

(cd "$work/out" && sha256sum -- * | sort -k2) >"$work/SHA256SUMS"
case $mode in
    --update)
        rm -rf vendor && mkdir vendor && cp "$work"/out/* vendor/
        cp "$work/SHA256SUMS" SHA256SUMS
        echo "vendor/ updated; review and commit it with SHA256SUMS"
        ;;
    --check)
        (cd vendor && sha256sum -c --quiet ../SHA256SUMS)
        diff -u SHA256SUMS "$work/SHA256SUMS"
        echo "vendor/ matches the registry's files"
        ;;
    *)
        echo "usage: $0 [--check | --update]" >&2
        exit 2
        ;;
esac
