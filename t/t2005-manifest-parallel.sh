#!/bin/sh
test_description='manifests parsed on all cores give what one thread gives

Manifests are cut into chunks of lines that the thread pool parses in
parallel (manifest-parallel.c). Whatever the number of threads and the
size of the chunks (QUIRE_THREADS, QUIRE_TEST_MANIFEST_CHUNK), top-hash,
write-manifest, diff-manifest and diff must give the bytes and the
messages that one thread gives, and what Python computes by quilt3s
rules, on manifests with the hard cases: unicode and escaped keys, big
metadata, folder lines, physical keys to normalize, NaN, CRLF, a last
line without its newline, lines out of order.'

. ./test-lib.sh

test_lazy_prereq PYTHON3 '
	python3 -c "import json"
'

# Each configuration: threads and chunk size (empty: the default).
CONFIGS="1: 2: 4:1 3:97 4:4096 2:65536"

# run_configs CMD...: run CMD under every configuration, keeping stdout
# and stderr in out.<n> and err.<n>, and exit codes in codes.
run_configs () {
	n=0 &&
	: >codes &&
	for c in $CONFIGS
	do
		n=$((n + 1)) &&
		threads=${c%%:*} &&
		chunk=${c#*:} &&
		if test -n "$chunk"
		then
			QUIRE_THREADS=$threads QUIRE_TEST_MANIFEST_CHUNK=$chunk \
				"$@" >out.$n 2>err.$n
		else
			QUIRE_THREADS=$threads "$@" >out.$n 2>err.$n
		fi
		echo "$?" >>codes || return 1
	done
}

# all_same: every configuration printed what the first one did.
all_same () {
	sort -u codes >codes.u &&
	test_line_count = 1 codes.u &&
	for f in out.* err.*
	do
		test_cmp "${f%.*}.1" "$f" || return 1
	done
}

test_expect_success PYTHON3 'generate manifests with the hard cases' '
	cat >gen.py <<-\EOF &&
	import hashlib, json, random, sys

	rng = random.Random(2005)
	H = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	ALPHA = ["a", "b", "Z", "0", "_", "-", ".", " ", "~", "é", "中",
	         "😀", "\u2028", "\x7f", "\"", "\\", "+", "%20", "\ufffd"]

	def name():
	    return "".join(rng.choice(ALPHA) for _ in range(rng.randint(1, 5)))

	def value(depth=0):
	    k = rng.randint(0, 9 if depth < 3 else 5)
	    if k == 0: return None
	    if k == 1: return rng.choice([True, False])
	    if k == 2: return rng.randint(-2**70, 2**70)
	    if k == 3: return rng.choice([0.1, 1.0, 1e16, 1e-5, -0.0, 2.5e-300,
	                                  rng.random() * 10 ** rng.randint(-30, 30)])
	    if k == 4: return name() + "\n\t\x01"
	    if k == 5: return rng.randint(0, 1000)
	    if k in (6, 7): return [value(depth + 1) for _ in range(rng.randint(0, 3))]
	    return {name(): value(depth + 1) for _ in range(rng.randint(0, 3))}

	def physical(i):
	    return rng.choice([
	        "s3://bucket/k/%d" % i,
	        "s3://bucket/k/%d?versionId=v%d" % (i, i),
	        "s3://bucket/a b/%d?versionId=x y" % i,
	        "s3://bucket/%%41/%d?versionId=" % i,
	        "s3://bucket/k/%d?versionId=a%%2Bb&" % i,
	        "s3://bucket//k/%d#frag" % i,
	        "file:///data/%d" % i,
	        "file:///data/../data/./x//%d/" % i,
	        "file://localhost/data/%d" % i,
	        "file:///d%%C3%%A9/%d" % i,
	    ])

	def entries(n):
	    keys = set()
	    while len(keys) < n:
	        k = "/".join(name() for _ in range(rng.randint(1, 3)))
	        parts = k.split("/")
	        if any(p in (".", "..", ".quire") or not p.strip() for p in parts):
	            continue
	        prefixes = {"/".join(parts[:i]) for i in range(1, len(parts))}
	        if prefixes & keys or any(x.startswith(k + "/") for x in keys):
	            continue
	        keys.add(k)
	    out = []
	    for i, k in enumerate(sorted(keys)):
	        sha = rng.random() < 0.2
	        o = {"logical_key": k, "physical_keys": [physical(i)],
	             "size": rng.randint(0, 2**40),
	             "hash": {"type": "SHA256" if sha else "sha2-256-chunked",
	                      "value": SHA if sha else H},
	             "meta": rng.choice([{}, None, {"user_meta": value()},
	                                 {"user_meta": value(), "x": value()}])}
	        if rng.random() < 0.1:
	            o["meta"] = {"user_meta": {"big": "é" * rng.randint(1, 300000)}}
	        if rng.random() < 0.05:
	            o["meta"] = {"user_meta": {str(j): j for j in range(2000)}}
	        out.append(o)
	    return out

	def folders(es):
	    out = []
	    for o in es[::7]:
	        k = o["logical_key"]
	        if "/" in k:
	            d = k.rsplit("/", 1)[0] + "/"
	            out.append({"logical_key": d, "meta": rng.choice(
	                [{}, None, {"d": value()}, "text", 0])})
	    return out

	def line(o):
	    t = json.dumps(o, ensure_ascii=rng.random() < 0.5,
	                   allow_nan=True)
	    if rng.random() < 0.1:
	        t = t.replace(", ", ",  ")
	    if rng.random() < 0.05:
	        t += "\r"
	    return t

	def top_hash(meta, es):
	    enc = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
	    h = hashlib.sha256()
	    h.update(enc(meta).encode())
	    for o in sorted(es, key=lambda o: o["logical_key"].split("/")):
	        h.update(enc({"hash": o["hash"], "logical_key": o["logical_key"],
	                      "meta": o.get("meta") or {},
	                      "size": o["size"]}).encode())
	    return h.hexdigest()

	meta = {"version": "v0", "message": "mañana 😀", "user_meta": value()}
	es = entries(300)
	# NaN and its kin, and keys that need escapes in every form
	es.append({"logical_key": "nan/\u00e9\U0001F600\u2028", "physical_keys":
	           ["s3://b/nan"], "size": 1, "hash": {"type": "sha2-256-chunked",
	           "value": H}, "meta": {"a": float("nan"), "b": float("inf"),
	           "c": -float("inf"), "d": -0.0, "e": 5e-324}})
	es.sort(key=lambda o: o["logical_key"].split("/"))
	fs = folders(es)
	lines = [json.dumps(meta)] + [line(o) for o in sorted(
	    es + fs, key=lambda o: (o.get("physical_keys") is not None,
	                            o["logical_key"].split("/")))]
	with open("edge.jsonl", "w", encoding="utf-8", newline="") as f:
	    f.write("\n".join(lines))	# the last line lacks its newline
	body = lines[1:]
	rng.shuffle(body)
	with open("edge-shuffled.jsonl", "w", encoding="utf-8", newline="") as f:
	    f.write("\n".join([lines[0]] + body) + "\n")
	with open("edge.tophash", "w") as f:
	    f.write(top_hash(meta, es) + "\n")

	# a second version: changed bytes, metadata, added and deleted keys
	import copy
	es2 = copy.deepcopy(es)
	expect = {}
	for i, o in enumerate(es2):
	    k = o["logical_key"]
	    if i % 17 == 1:
	        o["size"] += 1; expect[k] = "M"
	    elif i % 17 == 2:
	        o["hash"] = {"type": "SHA256", "value": SHA}
	        if es[i]["hash"]["type"] != "SHA256": expect[k] = "M"
	    elif i % 17 == 3:
	        o["meta"] = {"user_meta": {"changed": i}}; expect[k] = "m"
	    elif i % 17 == 4:
	        # the same metadata written otherwise: no change
	        m = o.get("meta") or {}
	        o["meta"] = dict(reversed(list(m.items())))
	    elif i % 17 == 5:
	        o["meta"] = {"user_meta": {"one": 1}}
	        es[i]["meta"] = {"user_meta": {"one": 1.0}}
	for o in es:
	    if "a" in (o.get("meta") or {}): expect.setdefault(o["logical_key"], "m")
	deleted = [o["logical_key"] for o in es2[5::31]]
	es2 = [o for o in es2 if o["logical_key"] not in deleted]
	for k in deleted: expect[k] = "D"
	for i in range(5):
	    k = "added/%d" % i
	    es2.append({"logical_key": k, "physical_keys": ["s3://b/" + k],
	                "size": i, "hash": {"type": "sha2-256-chunked", "value": H},
	                "meta": {}})
	    expect[k] = "A"
	for name_, ents in (("a", es), ("b", es2)):
	    ents.sort(key=lambda o: o["logical_key"].split("/"))
	    with open(name_ + ".jsonl", "w", encoding="utf-8") as f:
	        f.write(json.dumps(meta) + "\n")
	        for o in ents:
	            f.write(line(o).rstrip("\r") + "\n")
	with open("expect-diff", "wb") as f:
	    for k in sorted(expect, key=lambda k: k.split("/")):
	        f.write(("%s\t%s\0" % (expect[k], k)).encode())
	EOF
	python3 gen.py &&
	test-tool gen-manifest 30000 >big.jsonl &&
	test-tool gen-manifest 30000 --shuffle >big-shuffled.jsonl
'

test_expect_success PYTHON3 'top-hash: each configuration, the Python answer' '
	for m in edge edge-shuffled
	do
		run_configs quire top-hash $m.jsonl &&
		all_same &&
		test_cmp edge.tophash out.1 || return 1
	done
'

test_expect_success PYTHON3 'top-hash from a pipe (sorted in memory)' '
	for m in edge edge-shuffled
	do
		run_configs sh -c "quire top-hash - <$m.jsonl" &&
		all_same &&
		test_cmp edge.tophash out.1 || return 1
	done
'

test_expect_success 'top-hash of 30000 entries, in order and not' '
	run_configs quire top-hash big.jsonl &&
	all_same &&
	cp out.1 big.tophash &&
	run_configs quire top-hash big-shuffled.jsonl &&
	all_same &&
	test_cmp big.tophash out.1 &&
	run_configs sh -c "QUIRE_SORT_MEMORY=1 quire top-hash - <big-shuffled.jsonl" &&
	all_same &&
	test_cmp big.tophash out.1
'

test_expect_success PYTHON3 'write-manifest stores the same bytes' '
	quire init -q &&
	for m in edge edge-shuffled big big-shuffled
	do
		run_configs quire write-manifest $m.jsonl &&
		all_same &&
		quire cat-manifest "$(cat out.1)" >stored.$m || return 1
	done &&
	test_cmp stored.edge stored.edge-shuffled &&
	test_cmp stored.big stored.big-shuffled &&
	test_cmp big.jsonl stored.big
'

test_expect_success PYTHON3 'diff-manifest finds what Python finds' '
	a=$(quire write-manifest a.jsonl) &&
	b=$(quire write-manifest b.jsonl) &&
	run_configs quire diff-manifest -z "$a" "$b" &&
	all_same &&
	test_cmp expect-diff out.1 &&
	test_expect_code 1 quire diff-manifest -z "$a" "$b" >out &&
	test_cmp expect-diff out
'

test_expect_success PYTHON3 'diff in every form agrees across configurations' '
	for form in --stat --json --name-only ""
	do
		run_configs quire diff $form "$a" "$b" &&
		all_same || return 1
	done &&
	run_configs quire diff --stat "$a" "$a" &&
	all_same &&
	# NaN is not equal to itself, in Python and here
	echo "0 added, 0 deleted, 0 modified, 1 metadata only" >expect &&
	test_cmp expect out.1
'

test_expect_success 'diff of 30000 entries, one version written shuffled' '
	sed -e "1000s/\"size\": [0-9]*/\"size\": 7/" \
	    -e "20000s/\"label\": [0-9]*/\"label\": 99/" big.jsonl >big2.jsonl &&
	a=$(quire write-manifest big-shuffled.jsonl) &&
	b=$(quire write-manifest big2.jsonl) &&
	run_configs quire diff-manifest "$a" "$b" &&
	all_same &&
	printf "M\ttrain/0000/00000998.jpg\nm\ttrain/0019/00019998.jpg\n" >expect &&
	test_cmp expect out.1
'

# bad_entry KEY PHYSICAL HASH: an entry line
bad_entry () {
	printf '{"logical_key": "%s", "physical_keys": ["%s"], ' "$1" "$2" &&
	printf '"size": 1, "hash": %s, "meta": {}}\n' "$3"
}

test_expect_success 'errors name the same line with the same words' '
	head -n 20000 big.jsonl >head.jsonl &&
	tail -n +20001 big.jsonl >tail.jsonl &&
	bad_hash="{\"type\": \"SHA256\", \"value\": \"00\"}" &&
	echo >bad.1 &&
	echo "{" >bad.2 &&
	echo "[1, 2]" >bad.3 &&
	echo "{\"logical_key\": 3}" >bad.4 &&
	bad_entry ../x s3://b/k "$bad_hash" >bad.5 &&
	bad_entry k http://x "{}" >bad.6 &&
	sed -n 5p big.jsonl >bad.7 &&
	bad_entry train/0001 s3://b/k "$bad_hash" >bad.8 &&
	for bad in bad.?
	do
		cat head.jsonl $bad tail.jsonl >bad.jsonl &&
		run_configs quire top-hash bad.jsonl &&
		all_same &&
		run_configs quire write-manifest bad.jsonl &&
		all_same &&
		test_grep "^fatal: bad.jsonl:" err.1 ||
		return 1
	done
'

test_expect_success 'an empty line at the very end, and nothing after line 1' '
	{ cat big.jsonl && echo; } >bad.jsonl &&
	run_configs quire top-hash bad.jsonl &&
	all_same &&
	test_grep "bad.jsonl:30002: empty line" err.1 &&
	head -n 1 big.jsonl >meta-only.jsonl &&
	run_configs quire top-hash meta-only.jsonl &&
	all_same &&
	test_must_be_empty err.1
'

test_done
