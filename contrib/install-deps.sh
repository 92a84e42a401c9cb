#!/bin/sh
# Install what quire needs to build, test and document itself, from
# Debian packages. Safe to run again; does nothing when all is there.
set -e

PKGS="build-essential pkg-config libcurl4-openssl-dev libsqlite3-dev \
libssl-dev libexpat1-dev sharness asciidoctor python3"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
