#!/bin/sh
# A short tour of quire: make a package from a sample folder, publish it
# to the embedded default registry, install it into another folder, check
# every byte, then publish a second version and install it incrementally.
# Everything happens in a scratch folder (HOME and XDG_* point there too).
set -e
QUIRE=${QUIRE:-$(cd "$(dirname "$0")/.." && pwd)/build/quire}
work=$(mktemp -d "${TMPDIR:-/tmp}/quire-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" \
	XDG_CACHE_HOME="$work/home/cache"
q () {
	echo "\$ quire $*"
	"$QUIRE" "$@"
}
cd "$work"

echo "== a sample folder"
mkdir -p sample/train sample/val
for i in 1 2 3; do echo "image $i" >sample/train/img$i.txt; done
echo "validation" >sample/val/v1.txt
printf '# Sample\nA small data set.\n' >sample/README.md

echo "== make it a package and publish it"
cd sample
q init demo/sample
q add train val
q set README.md README.md --meta '{"kind": "readme"}'
q status
q commit -m "first version"
q push -t v1
q list

echo "== install it into another folder, check every byte"
cd "$work"
q install demo/sample --to copy
q verify copy
q ls demo/sample
q readme demo/sample

echo "== a second version: one file changes, one is new"
cd "$work/sample"
echo "image 2, fixed" >train/img2.txt
echo "image 4" >train/img4.txt
q add train
q status
q commit -m "second version"
q push
q diff demo/sample:v1 demo/sample || :
q log demo/sample

echo "== install it again: only what changed moves"
cd "$work"
q install demo/sample --to copy
q verify copy
