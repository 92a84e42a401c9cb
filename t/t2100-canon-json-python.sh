#!/bin/sh

test_description='canonical and python-style JSON match Python json.dumps

A python3 script writes random JSON documents (fixed seed) in random
non-canonical spellings, plus mutated copies of them, and Python says what
json.dumps(json.loads(line)) gives for each line: sorted and compact with
ensure_ascii for the canonical form, defaults with ensure_ascii=False for
the python style. test-tool json must print the same bytes, and "error"
exactly where Python refuses the line (or, only in quire, where the line
holds an unpaired surrogate).'

. ./test-lib.sh

test_lazy_prereq PYTHON3 '
	python3 -c "import json"
'

test_expect_success PYTHON3 'generate documents and what Python writes' '
	cat >gen.py <<-\EOF &&
	import decimal, json, math, random, struct

	rng = random.Random(2100)

	SPECIAL = ["\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r",
	           "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\xe9",
	           "\"", "\\", "/", chr(39), "<", "\u2028", "\u2029",
	           "\ufeff", "\ufffd", "\uffff", "\ud7ff", "\ue000",
	           "\U00010000", "\U0001f600", "\U0010ffff"]

	def rand_char():
	    r = rng.random()
	    if r < 0.35:
	        return chr(rng.randint(0x20, 0x7e))
	    if r < 0.5:
	        return rng.choice(SPECIAL)
	    if r < 0.6:
	        return chr(rng.randint(0, 0x1f))
	    if r < 0.7:
	        return chr(rng.randint(0x7f, 0xff))
	    if r < 0.88:
	        while True:
	            c = rng.randint(0x100, 0xffff)
	            if not 0xd800 <= c <= 0xdfff:
	                return chr(c)
	    return chr(rng.randint(0x10000, 0x10ffff))

	def rand_string():
	    n = rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 40])
	    return "".join(rand_char() for _ in range(n))

	KEYS = ["a", "b", "z", "A", "", "a\x00", "\x00", "\xe9", "\uffff",
	        "\U0001f600", "ab", "a b", "\x7f", "\x80"]

	def rand_key():
	    if rng.random() < 0.5:
	        return rng.choice(KEYS)
	    return rand_string()

	def rand_int():
	    r = rng.random()
	    if r < 0.3:
	        return rng.randint(-10, 10)
	    if r < 0.5:
	        return rng.randint(-2**31, 2**31)
	    if r < 0.6:
	        return rng.randint(-2**64, 2**64)
	    if r < 0.75:
	        return rng.choice([2**70, -2**70, 2**53, 2**53 + 1, -2**63,
	                           2**63, 2**64 - 1, 2**64, 10**30, -10**30])
	    if r < 0.85:
	        sign = rng.choice([1, -1])
	        return sign * rng.getrandbits(rng.randint(1, 600))
	    return rng.randint(0, 10**6)

	EDGE = [0.0, -0.0, 1e16, 1e-5, 1e-4, 0.0001, 123456789012345680.0,
	        5e-324, 1.7976931348623157e308, float(2**53 + 1), 0.1 + 0.2,
	        0.1, 1.0, 100000.0, 1e22, 1e23, 9999999999999998.0, 1e15,
	        999999999999999.9, 0.00001, 0.000099999, 2.5, 1.5e-300,
	        2.2250738585072014e-308, 2.225073858507201e-308, -1.0, 1e308,
	        1234567890123456.0, 12345678901234567.0, 0.5, 1e-7, 3e-5]

	def bits_float():
	    while True:
	        b = rng.getrandbits(64).to_bytes(8, "little")
	        f = struct.unpack("<d", b)[0]
	        if not (math.isnan(f) or math.isinf(f)):
	            return f

	def rand_float():
	    r = rng.random()
	    if r < 0.3:
	        return bits_float()
	    if r < 0.4:
	        return rng.choice(EDGE)
	    if r < 0.5:
	        return rng.choice([1, -1]) * 2.0 ** rng.randint(-1074, 1023)
	    if r < 0.6:
	        return round(rng.uniform(-1e6, 1e6), rng.randint(0, 8))
	    if r < 0.7:
	        return rng.randint(1, 10**rng.randint(1, 20)) * \
	            10.0 ** rng.randint(-25, 25)
	    if r < 0.8:
	        # full 53-bit mantissas where repr uses fixed notation
	        m = rng.getrandbits(52) | 2**52
	        return math.ldexp(m, rng.randint(-70, 0))
	    if r < 0.85:
	        # ties at the 17th digit: k/4 or k/8 with about 16 digits
	        e = rng.choice([2, 3])
	        k = rng.getrandbits(53 - 1) | 2**52
	        return math.ldexp(k, -e)
	    if r < 0.95:
	        x = 10.0 ** rng.randint(-6, 18)
	        return rng.choice([x, math.nextafter(x, 0),
	                           math.nextafter(x, math.inf)])
	    return rng.choice([math.nan, math.inf, -math.inf])

	def rand_value(depth):
	    r = rng.random()
	    if depth >= 6:
	        r *= 0.7
	    if r < 0.05:
	        return None
	    if r < 0.1:
	        return rng.choice([True, False])
	    if r < 0.25:
	        return rand_int()
	    if r < 0.45:
	        return rand_float()
	    if r < 0.7:
	        return rand_string()
	    if r < 0.85:
	        return [rand_value(depth + 1) for _ in range(rng.randint(0, 5))]
	    # an object is a list of pairs, so that keys may repeat
	    return ("obj", [(rand_key(), rand_value(depth + 1))
	                    for _ in range(rng.randint(0, 6))])

	def ws():
	    if rng.random() < 0.7:
	        return ""
	    n = rng.randint(1, 3)
	    return "".join(rng.choice(" \t\r ") for _ in range(n))

	SHORT = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}

	def uesc(o):
	    return ("\\u%04x" if rng.random() < 0.7 else "\\u%04X") % o

	def write_string(s):
	    out = ["\""]
	    for c in s:
	        o = ord(c)
	        r = rng.random()
	        if c == "\"" or c == "\\":
	            out.append("\\" + c if r < 0.8 else uesc(o))
	        elif o < 0x20:
	            if o in SHORT and r < 0.5:
	                out.append(SHORT[o])
	            else:
	                out.append(uesc(o))
	        elif c == "/" and r < 0.3:
	            out.append("\\/")
	        elif r < 0.7:
	            out.append(c)
	        elif o < 0x10000:
	            out.append(uesc(o))
	        else:
	            v = o - 0x10000
	            out.append(uesc(0xd800 + (v >> 10)))
	            out.append(uesc(0xdc00 + (v & 0x3ff)))
	    out.append("\"")
	    return "".join(out)

	def write_float(f):
	    if math.isnan(f):
	        return "NaN"
	    if math.isinf(f):
	        return "Infinity" if f > 0 else "-Infinity"
	    r = rng.random()
	    if r < 0.4:
	        s = repr(f)
	    elif r < 0.55:
	        s = "%.17e" % f
	    elif r < 0.65:
	        s = "%.25E" % f
	    elif r < 0.75:
	        s = repr(f).replace("e", "E").replace("E+", "E")
	    elif r < 0.85:
	        s = "%.17g" % f
	    elif r < 0.9 and abs(f) > 1e-30:
	        s = format(decimal.Decimal(f), "f")
	    elif r < 0.95:
	        s = rng.choice(["1E400", "-1e400", "1e-400", "-1e-400", "0e0",
	                        "-0E-0", "0.0e+10", "1e99999999999999999999"])
	    else:
	        s = repr(f)
	        if "e" not in s:
	            s += "e0"
	    if not ("." in s or "e" in s or "E" in s):
	        s += rng.choice([".0", "e0", "E+00", ".000"])
	    return s

	def write(v):
	    if v is None:
	        return "null"
	    if v is True:
	        return "true"
	    if v is False:
	        return "false"
	    if isinstance(v, int):
	        if v == 0 and rng.random() < 0.3:
	            return "-0"
	        return str(v)
	    if isinstance(v, float):
	        return write_float(v)
	    if isinstance(v, str):
	        return write_string(v)
	    if isinstance(v, list):
	        if not v:
	            return "[" + ws() + "]"
	        return "[" + ws() + ("," + ws()).join(
	            write(x) + ws() for x in v) + "]"
	    pairs = v[1]
	    if not pairs:
	        return "{" + ws() + "}"
	    return "{" + ws() + ("," + ws()).join(
	        write_string(k) + ws() + ":" + ws() + write(x) + ws()
	        for k, x in pairs) + "}"

	def expect(b):
	    """What quire must print for line b: (canonical, python) or None."""
	    try:
	        v = json.loads(b.decode("utf-8"))
	    except (ValueError, RecursionError):
	        return None
	    canon = json.dumps(v, sort_keys=True, separators=(",", ":"))
	    py = json.dumps(v, ensure_ascii=False)
	    try:
	        py.encode("utf-8")
	    except UnicodeEncodeError:
	        return None    # an unpaired surrogate: quire refuses it
	    return canon, py

	lines = []
	for i in range(6000):
	    top = rng.random()
	    if top < 0.45:
	        v = ("obj", [(rand_key(), rand_value(1))
	                     for _ in range(rng.randint(0, 8))])
	    elif top < 0.75:
	        v = [rand_value(1) for _ in range(rng.randint(0, 8))]
	    else:
	        v = rand_value(0)
	    lines.append(ws() + write(v) + ws())
	for f in EDGE:
	    lines.append(write([f, -f]))
	for k in range(-1074, 1024):
	    lines.append("[%r, %s, %r]" % (2.0 ** k, write_float(2.0 ** k),
	                                  -(2.0 ** k)))
	for i in range(200):
	    x = math.ldexp(rng.getrandbits(53) | 1, rng.randint(-60, 60))
	    lines.append(write([x, -x]))
	lines.append(write("".join(rand_char() for _ in range(200000))))
	big = [("k%d" % rng.randint(0, 30000), rng.randint(0, 9))
	       for _ in range(40000)]
	lines.append(write(("obj", big)))
	lines.append("[" * 500 + "1" + "]" * 500)
	lines.append("{\"a\":" * 500 + "{}" + "}" * 500)
	valid = [s.encode("utf-8") for s in lines]

	def mutate(b):
	    b = bytearray(b)
	    for _ in range(rng.choice([1, 1, 1, 2, 3])):
	        r = rng.random()
	        pos = rng.randint(0, len(b))
	        c = rng.choice(b"\"\\,:[]{}01-.eE+ uUxtfnNI\t\r\x00\x1f\x7f" +
	                       b"\x80\xbf\xc0\xc3\xe2\xed\xf0\xf4\xf5\xff")
	        if r < 0.4 and pos < len(b):
	            b[pos] = c
	        elif r < 0.7:
	            b[pos:pos] = bytes([c])
	        elif r < 0.9 and pos < len(b):
	            del b[pos]
	        else:
	            b = b[:pos]
	    return bytes(b)

	fuzz = []
	short = [b for b in valid if len(b) < 400]
	while len(fuzz) < 6000:
	    fuzz.append(mutate(rng.choice(short)))

	INVALID = [b"01", b"-01", b"00", b"1.", b".5", b"+1", b"-", b"1e",
	           b"1e+", b"1.e5", b"0x10", b"[1,]", b"[,1]", b"[1 2]", b"[",
	           b"{\"a\":1,}", b"{\"a\" 1}", b"{a:1}", b"{1:1}", b"{,}",
	           b"\"\\x\"", b"\"\\U0041\"", b"\"\\u12\"", b"\"\\u12g4\"",
	           b"\"a\tb\"", b"\"\x00\"", b"\"\x1f\"", b"\"\\ud800\"",
	           b"\"\\ud800x\"", b"\"\\ud800\\u0041\"",
	           b"\"\\ud800\\ud800\"", b"\"\\udc00x\"", b"[\"\\udfff\"]",
	           b"{\"\\ud83d\":1}", b"\"\xc0\x80\"", b"\"\xc1\xbf\"",
	           b"\"\xe0\x80\xaf\"", b"\"\xed\xa0\x80\"",
	           b"\"\xed\xbf\xbf\"", b"\"\xf4\x90\x80\x80\"",
	           b"\"\xf5\x80\x80\x80\"", b"\"\xff\"",
	           b"\"\x80\"", b"\"\xe2\x82\"", b"\"\xc3\"", b"\xef\xbb\xbf{}",
	           b"nul", b"nulll", b"True", b"nan", b"inf", b"-NaN", b"-Inf",
	           b"Infinit", b"infinity", b"NaNa", b"1 2", b"{} x", b"\"abc",
	           b"\"abc\\", b"", b"   ", b"\x0c1", b"\x0b1", b"[1]\xc2\xa0",
	           b"[" * 513 + b"]" * 513, b"[" * 600 + b"]" * 600]
	for b in INVALID:
	    if expect(b) is not None and not b.startswith(b"[" * 513):
	        raise SystemExit("Python accepts %r" % b)

	def dump(name, items):
	    with open(name, "wb") as f:
	        for b in items:
	            f.write(b + b"\n")

	dump("valid.in", valid)
	exp = [expect(b) for b in valid]
	if None in exp:
	    raise SystemExit("Python refuses a generated line")
	dump("valid.canonical", [e[0].encode("utf-8") for e in exp])
	dump("valid.python", [e[1].encode("utf-8") for e in exp])
	dump("fuzz.in", fuzz)
	exp = [expect(b) for b in fuzz]
	dump("fuzz.canonical",
	     [e[0].encode("utf-8") if e else b"error" for e in exp])
	dump("fuzz.python",
	     [e[1].encode("utf-8") if e else b"error" for e in exp])
	print("%d valid, %d fuzzed (%d refused), %d invalid" % (
	    len(valid), len(fuzz), exp.count(None), len(INVALID)))
	dump("invalid.in", INVALID)
	dump("invalid.expect", [b"error"] * len(INVALID))
	EOF
	python3 gen.py
'

test_expect_success PYTHON3 'canonical form matches Python' '
	test-tool json canonical <valid.in >actual &&
	test_cmp valid.canonical actual
'

test_expect_success PYTHON3 'python style matches Python' '
	test-tool json python <valid.in >actual &&
	test_cmp valid.python actual
'

test_expect_success PYTHON3 'mutated lines: same output, same refusals' '
	test-tool json canonical <fuzz.in >actual &&
	test_cmp fuzz.canonical actual &&
	test-tool json python <fuzz.in >actual &&
	test_cmp fuzz.python actual
'

test_expect_success PYTHON3 'invalid JSON is refused' '
	test-tool json canonical <invalid.in >actual &&
	test_cmp invalid.expect actual &&
	test-tool json python <invalid.in >actual &&
	test_cmp invalid.expect actual
'

test_done
