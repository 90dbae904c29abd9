#!/bin/sh
# Refresh the vendored GraphiQL assets from the npm registry: download each pinned
# tarball, check it against the registry's sha512 integrity, and keep only the files
# gateway/web/pages/graphiql.html loads plus the licences. See VERSIONS.md.
#
#   sh gateway/web/static/vendor/fetch.sh
#
# To move to a new version, change its line below (tarball URL and integrity from
# `npm view <package>@<version> dist.tarball dist.integrity`), run this, update
# VERSIONS.md and the paths in gateway/web/pages/graphiql.html.
set -eu

VENDOR=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# fetch  name  tarball  integrity: download, check, unpack into $WORK/<name>/package
fetch() {
    name=$1 tarball=$2 integrity=$3
    archive="$WORK/$name.tgz"
    curl --fail --silent --show-error --location --output "$archive" "$tarball"
    actual="sha512-$(openssl dgst -sha512 -binary "$archive" | base64 | tr -d '\n')"
    if [ "$actual" != "$integrity" ]; then
        echo "$name: integrity mismatch: got $actual, want $integrity" >&2
        exit 1
    fi
    mkdir -p "$WORK/$name"
    tar -xzf "$archive" -C "$WORK/$name"
}

# keep  name  directory  path-in-package...: a fresh $VENDOR/<directory> holding them
keep() {
    name=$1 directory=$2
    shift 2
    rm -rf "${VENDOR:?}/$directory"
    mkdir -p "$VENDOR/$directory"
    for path in "$@"; do
        cp "$WORK/$name/package/$path" "$VENDOR/$directory/"
    done
}

fetch react \
    https://registry.npmjs.org/react/-/react-18.2.0.tgz \
    sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==
keep react react@18.2.0 umd/react.production.min.js LICENSE

fetch react-dom \
    https://registry.npmjs.org/react-dom/-/react-dom-18.2.0.tgz \
    sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==
keep react-dom react-dom@18.2.0 umd/react-dom.production.min.js LICENSE

fetch graphiql \
    https://registry.npmjs.org/graphiql/-/graphiql-3.8.3.tgz \
    sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==
keep graphiql graphiql@3.8.3 graphiql.min.js graphiql.min.css LICENSE

# The plugin's tarball has no LICENSE file (package.json: MIT, from the graphql/graphiql
# repository, whose LICENSE graphiql's tarball carries); it bundles graphiql-explorer.
fetch plugin-explorer \
    https://registry.npmjs.org/@graphiql/plugin-explorer/-/plugin-explorer-1.0.2.tgz \
    sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==
keep plugin-explorer @graphiql/plugin-explorer@1.0.2 dist/index.umd.js dist/style.css
cp "$WORK/graphiql/package/LICENSE" "$VENDOR/@graphiql/plugin-explorer@1.0.2/LICENSE"

fetch graphiql-explorer \
    https://registry.npmjs.org/graphiql-explorer/-/graphiql-explorer-0.9.0.tgz \
    sha512-fZC/wsuatqiQDO2otchxriFO0LaWIo/ovF/CQJ1yOudmY0P7pzDiP+l9CEHUiWbizk3e99x6DQG4XG1VxA+d6A==
cp "$WORK/graphiql-explorer/package/LICENSE" \
    "$VENDOR/@graphiql/plugin-explorer@1.0.2/LICENSE.graphiql-explorer"

echo "vendored into $VENDOR"
