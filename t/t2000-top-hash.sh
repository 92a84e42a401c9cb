#!/bin/sh
test_description='quire top-hash agrees with quilt3 on every reference vector'
. ./test-lib.sh

test_expect_success 'the vectors are there' '
	ls "$VECTORS"/*.tophash >list &&
	test_line_count -ge 30 list
'

for th in "$VECTORS"/*.tophash
do
	id=$(basename "$th" .tophash)
	test_expect_success "top-hash of vector $id" '
		quire top-hash "$VECTORS/$id.jsonl" >actual &&
		test_cmp "$th" actual
	'
done

test_expect_success 'top-hash of several files prints one line each' '
	quire top-hash "$VECTORS/001.jsonl" "$VECTORS/003.jsonl" >actual &&
	cat "$VECTORS/001.tophash" "$VECTORS/003.tophash" >expect &&
	test_cmp expect actual
'

test_expect_success 'top-hash reads standard input, in any order' '
	quire top-hash - <"$VECTORS/039i.jsonl" >actual &&
	test_cmp "$VECTORS/039.tophash" actual
'

test_expect_success 'top-hash needs no workspace' '
	test_path_is_missing .quire
'

# quilt3's rules, written again in Python from DESIGN.md section 2: an
# independent implementation to compare with on generated manifests.
cat >ref.py <<\EOF
import hashlib, json, random, sys

def top_hash(lines):
    meta = json.loads(lines[0])
    meta.pop("top_hash", None)
    entries = []
    for l in lines[1:]:
        o = json.loads(l)
        if not o.get("physical_keys"):
            continue
        entries.append(o)
    entries.sort(key=lambda o: o["logical_key"].split("/"))
    h = hashlib.sha256()
    enc = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    h.update(enc(meta).encode())
    for o in entries:
        h.update(enc({"hash": o["hash"], "logical_key": o["logical_key"],
                      "meta": o.get("meta") or {}, "size": o["size"]}).encode())
    return h.hexdigest()

def dump(lines):
    enc = json.JSONEncoder(ensure_ascii=False).encode
    meta = json.loads(lines[0])
    meta.pop("top_hash", None)
    out = [enc(meta)]
    entries = [json.loads(l) for l in lines[1:]]
    entries.sort(key=lambda o: o["logical_key"].split("/"))
    for o in entries:
        out.append(enc({"logical_key": o["logical_key"],
                        "physical_keys": o["physical_keys"][:1],
                        "size": o["size"], "hash": o["hash"],
                        "meta": o.get("meta") or {}}))
    return "".join(l + "\n" for l in out)

ALPHA = ["a", "b", "z", "A", "_", "-", ".", "0", "~", "!", " ", "é", "中",
         "😀", "\ufffd", "\ue000", "𐀀", "+", "=", "#x", "%20"]

def name(rnd):
    return "".join(rnd.choice(ALPHA) for _ in range(rnd.randint(1, 4)))

def value(rnd, depth=0):
    k = rnd.randint(0, 9 if depth < 3 else 5)
    if k == 0: return None
    if k == 1: return rnd.choice([True, False])
    if k == 2: return rnd.randint(-2**70, 2**70)
    if k == 3: return rnd.choice([0.1, 1.0, 1e16, 1e-5, -0.0, 2.5e-300,
                                  rnd.random() * 10 ** rnd.randint(-30, 30)])
    if k == 4: return name(rnd) + "\n\t\"\\\x7f\x01"
    if k == 5: return rnd.randint(0, 1000)
    if k in (6, 7): return [value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    return {name(rnd): value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}

def manifest(rnd, n):
    meta = {"version": "v0"}
    if rnd.random() < 0.5: meta["message"] = name(rnd)
    if rnd.random() < 0.5: meta["user_meta"] = value(rnd)
    lines = [json.dumps(meta, ensure_ascii=rnd.random() < 0.5)]
    keys = set()
    while len(keys) < n:
        k = "/".join(name(rnd) for _ in range(rnd.randint(1, 3)))
        parts = k.split("/")
        if any(p in (".", "..", ".quire") for p in parts):
            continue
        prefixes = {"/".join(parts[:i]) for i in range(1, len(parts))}
        if prefixes & keys or any(x.startswith(k + "/") for x in keys):
            continue
        keys.add(k)
    for k in keys:
        o = {"logical_key": k,
             "physical_keys": ["s3://bucket/" + str(rnd.randint(0, 99))],
             "size": rnd.randint(0, 2**40),
             "hash": {"type": "sha2-256-chunked",
                      "value": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
             "meta": rnd.choice([{}, None, {"user_meta": value(rnd)}])}
        lines.append(json.dumps(o, ensure_ascii=rnd.random() < 0.5))
    return lines

if __name__ == "__main__":
    rnd = random.Random(int(sys.argv[1]))
    for i in range(int(sys.argv[2])):
        lines = manifest(rnd, rnd.randint(0, 40))
        with open("gen-%03d.jsonl" % i, "w", encoding="utf-8") as f:
            f.write("".join(l + "\n" for l in lines))
        with open("gen-%03d.tophash" % i, "w") as f:
            f.write(top_hash(lines) + "\n")
        with open("gen-%03d.dump" % i, "w", encoding="utf-8") as f:
            f.write(dump(lines))
EOF

test_expect_success PYTHON3 'generated manifests: top-hash agrees with the Python rules' '
	python3 ref.py 20261121 200 &&
	for th in gen-*.tophash
	do
		id=${th%.tophash} &&
		quire top-hash $id.jsonl >actual &&
		test_cmp $th actual || return 1
	done
'

test_expect_success PYTHON3 'generated manifests: write-manifest writes the Python bytes' '
	mkdir ws &&
	(
		cd ws &&
		quire init -q &&
		for th in ../gen-*.tophash
		do
			id=${th%.tophash} &&
			quire write-manifest <$id.jsonl >h &&
			test_cmp $th h &&
			quire cat-manifest "$(cat h)" >actual &&
			test_cmp $id.dump actual || return 1
		done
	)
'

test_done
