#!/bin/sh
# A short tour of quire's core, with the plumbing commands: hash a sample
# folder into a workspace's object store, write the package manifest, tag
# it, then rebuild the folder elsewhere from the store and check it.
set -e
QUIRE=${QUIRE:-$(cd "$(dirname "$0")/.." && pwd)/build/quire}
work=$(mktemp -d "${TMPDIR:-/tmp}/quire-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "== a sample folder"
mkdir -p sample/train sample/val
for i in 1 2 3; do echo "image $i" >sample/train/img$i.txt; done
echo "validation" >sample/val/v1.txt
printf 'a small data set\n' >sample/README.md
find sample -type f | sort

echo "== a workspace; every file stored by its sha2-256-chunked hash"
mkdir ws && cd ws
"$QUIRE" init demo/sample
{
	echo '{"version": "v0", "message": "first version"}'
	(cd ../sample && find . -type f | sed 's|^\./||') | while read -r key; do
		hash=$("$QUIRE" hash-object -w "../sample/$key")
		size=$(wc -c <"../sample/$key")
		printf '{"logical_key": "%s", "physical_keys": ["file://%s/sample/%s"], "size": %d, "hash": {"type": "sha2-256-chunked", "value": "%s"}, "meta": {}}\n' \
			"$key" "$work" "$key" "$size" "$hash"
	done
} >entries.jsonl

echo "== the manifest, in quilt3's format; its name is the top hash"
top=$("$QUIRE" write-manifest <entries.jsonl)
echo "top hash: $top"
"$QUIRE" update-ref refs/tags/v1 "$top" ""
"$QUIRE" cat-manifest v1

echo "== its entries"
"$QUIRE" ls-manifest v1

echo "== rebuild the folder from the store, every byte verified"
"$QUIRE" ls-manifest -z v1 | tr '\0' '\n' | while IFS="$(printf '\t')" read -r info key; do
	hash=$(echo "$info" | cut -d' ' -f2)
	mkdir -p "../copy/$(dirname "$key")"
	"$QUIRE" cat-object "$hash" >"../copy/$key"
done
diff -r ../sample ../copy && echo "copy matches the sample folder"
