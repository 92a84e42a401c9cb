#!/usr/bin/python3
"""serve-check.py: look at what 'quire serve' answered, for t97*-serve*.sh.

  serve-check.py select FILE SELECTOR [WHAT]
	Print one line per element of the HTML page FILE that SELECTOR
	matches. SELECTOR is compound selectors separated by spaces
	(descendants), each a tag and/or .class, #id, [attr] or
	[attr=value] parts: "table#entries tr.file a.file". WHAT is
	"text" (the default: the element's text, white space collapsed),
	"owntext" (the text without nested lists or elements of the
	same tag), "@NAME" (the value of attribute NAME, nothing when
	it has none)
	or "count" (only the number of matches).
  serve-check.py lint FILE [--top]
	Check what every page of the catalog promises: exactly one h1, a
	nav.crumbs holding links (no links needed with --top: the
	registry's page has nothing above it), a main; no inline script or style (a
	script needs a src, no style element, no style or on* attribute),
	no javascript:, data: or vbscript: URL in href, src or action,
	scripts and style sheets from this server only. Prints the
	problems and exits 1 when there are any.
  serve-check.py answer HEADERS KIND BODY STATUS [--top]
	Check an answer: HEADERS as curl -D wrote them holds exactly one
	Content-Security-Policy, the catalog's, and one
	X-Content-Type-Options: nosniff. KIND "any" checks no more; "html"
	wants one Content-Type: text/html; charset=utf-8 and, for STATUS
	200, a BODY that passes lint (--top: the registry's page); "json"
	wants application/json (charset utf-8 allowed), a BODY that is
	JSON, and for another STATUS than 200 an object {"error": "..."}.
  serve-check.py batch CODES KIND HEADERS CODESFILE PATHSFILE BODY...
	answer for many requests curl made at once: CODESFILE holds the
	status of each (curl -w), PATHSFILE its path, HEADERS their
	headers one block after the other (curl -D), BODY... their
	bodies. Each status must be one of CODES ("400|404"), and no
	body may hold a line of /etc/passwd. Prints every problem.
  serve-check.py join BASE HREF
	Print the target of link HREF on the page at path BASE, as a path
	and query without the leading slash (what serve_get takes); exit
	1 when it leads to another server.
  serve-check.py png
	Write a small valid PNG image on standard output.
  serve-check.py json-eq EXPECTED ACTUAL [--drop MEMBER]...
	Exit 0 when the two JSON files hold the same value (registry URLs
	compared without a trailing slash), after removing MEMBER from
	ACTUAL's top object (it must be there). Else print both, the
	first difference, and exit 1.
"""

import html.parser
import json
import re
import struct
import sys
import urllib.parse
import zlib

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children = []

    def text(self):
        out = []

        def walk(n):
            for c in n.children:
                if isinstance(c, str):
                    out.append(c)
                else:
                    walk(c)
        walk(self)
        return " ".join("".join(out).split())

    def own_text(self):
        """The text, without that of nested lists or elements like
        this one (an li's own text, not its children's)."""
        out = []

        def walk(n):
            for c in n.children:
                if isinstance(c, str):
                    out.append(c)
                elif c.tag not in (self.tag, "ul", "ol"):
                    walk(c)
        walk(self)
        return " ".join("".join(out).split())

    def classes(self):
        return (self.attrs.get("class") or "").split()


class Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root
        self.all = []
        self.problems = []

    def handle_starttag(self, tag, attrs):
        d = {}
        for k, v in attrs:
            if k in d:
                self.problems.append("<%s> repeats attribute %s" % (tag, k))
            d[k] = v if v is not None else ""
        n = Node(tag, d, self.cur)
        self.cur.children.append(n)
        self.all.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.cur = self.cur.parent

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is None:
            return
        self.cur = n.parent or self.root

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    b = Builder()
    with open(path, encoding="utf-8") as f:
        b.feed(f.read())
    b.close()
    return b


COMPOUND = re.compile(r"([a-zA-Z0-9]*)((?:[.#][-\w]+|\[[-\w]+(?:=[^\]]*)?\])*)$")
PART = re.compile(r"([.#])([-\w]+)|\[([-\w]+)(?:=([^\]]*))?\]")


def compile_compound(s):
    m = COMPOUND.match(s)
    if not m:
        sys.exit("serve-check: bad selector part %r" % s)
    tag = m.group(1).lower()
    tests = []
    for p in PART.finditer(m.group(2)):
        if p.group(1) == ".":
            tests.append(lambda n, c=p.group(2): c in n.classes())
        elif p.group(1) == "#":
            tests.append(lambda n, i=p.group(2): n.attrs.get("id") == i)
        elif p.group(4) is None:
            tests.append(lambda n, a=p.group(3): a in n.attrs)
        else:
            tests.append(lambda n, a=p.group(3), v=p.group(4).strip('"'):
                         n.attrs.get(a) == v)

    def match(n):
        return (not tag or n.tag == tag) and all(t(n) for t in tests)
    return match


def select(b, selector):
    parts = [compile_compound(s) for s in selector.split()]
    found = []
    for n in b.all:
        if not parts[-1](n):
            continue
        i = len(parts) - 2
        a = n.parent
        while i >= 0 and a is not None:
            if parts[i](a):
                i -= 1
            a = a.parent
        if i < 0:
            found.append(n)
    return found


def cmd_select(argv):
    path, selector = argv[0], argv[1]
    what = argv[2] if len(argv) > 2 else "text"
    found = select(parse(path), selector)
    if what == "count":
        print(len(found))
        return 0
    for n in found:
        if what == "text":
            print(n.text())
        elif what == "owntext":
            print(n.own_text())
        elif what.startswith("@"):
            v = n.attrs.get(what[1:])
            if v is not None:
                print(v)
        else:
            sys.exit("serve-check: bad WHAT %r" % what)
    return 0


BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)


def url_scheme_bad(v):
    # Browsers skip leading spaces and control characters and drop
    # tabs and newlines anywhere in a URL.
    v = re.sub(r"[\t\n\r]", "", v).lstrip("\x00\x01\x02\x03\x04\x05\x06"
                                          "\x07\x08\x0b\x0c\x0e\x0f \x1f")
    return BAD_SCHEME.match(v)


def cmd_lint(argv):
    b = parse(argv[0])
    problems = list(b.problems)
    h1 = [n for n in b.all if n.tag == "h1"]
    if len(h1) != 1:
        problems.append("%d h1 elements, want 1" % len(h1))
    if not select(b, "nav.crumbs"):
        problems.append("no nav.crumbs")
    elif "--top" not in argv[1:] and not select(b, "nav.crumbs a"):
        problems.append("no links in nav.crumbs")
    if not [n for n in b.all if n.tag == "main"]:
        problems.append("no main")
    for n in b.all:
        if n.tag == "script":
            if "src" not in n.attrs:
                problems.append("inline script: %r" % n.text()[:80])
            elif not n.attrs["src"].startswith("/"):
                problems.append("script from elsewhere: %r" % n.attrs["src"])
        if n.tag == "style":
            problems.append("style element")
        if n.tag == "link" and "stylesheet" in (n.attrs.get("rel") or "") \
                and not (n.attrs.get("href") or "").startswith("/"):
            problems.append("style sheet from elsewhere: %r" % n.attrs["href"])
        for k, v in n.attrs.items():
            if k == "style":
                problems.append("<%s style=%r>" % (n.tag, v))
            if k.startswith("on"):
                problems.append("<%s %s=%r>" % (n.tag, k, v))
            if k in ("href", "src", "action", "formaction", "srcset") \
                    and url_scheme_bad(v):
                problems.append("<%s %s=%r>" % (n.tag, k, v))
    for p in problems:
        print("lint %s: %s" % (argv[0], p))
    return 1 if problems else 0


def normalize(v):
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "registry" and isinstance(x, str):
                x = x.rstrip("/")
            out[k] = normalize(x)
        return out
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return "%s: %r != %r" % (path, a, b)
    if isinstance(a, dict):
        if set(a) != set(b):
            return "%s: members %r != %r" % (path, sorted(a), sorted(b))
        for k in a:
            d = first_difference(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)


def cmd_json_eq(argv):
    drop = []
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--drop":
            drop.append(argv[i + 1])
            i += 2
        else:
            files.append(argv[i])
            i += 1
    with open(files[0], encoding="utf-8") as f:
        want = json.load(f)
    with open(files[1], encoding="utf-8") as f:
        got = json.load(f)
    for m in drop:
        if not isinstance(got, dict) or m not in got:
            print("%s: no member %r" % (files[1], m))
            return 1
        del got[m]
    want, got = normalize(want), normalize(got)
    d = first_difference(want, got)
    # Members are looked up by name: their order may differ.
    if want == got:
        return 0
    print("expected (%s):\n%s\nactual (%s):\n%s\nfirst difference: %s" % (
        files[0], json.dumps(want, ensure_ascii=False),
        files[1], json.dumps(got, ensure_ascii=False), d))
    return 1


CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
       "img-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def read_headers(path):
    out = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if ":" in line and not line.startswith("HTTP/"):
                k, v = line.split(":", 1)
                out.append((k.strip().lower(), v.strip()))
    return out


def cmd_answer(argv):
    hpath, kind, body, status = argv[:4]
    top = "--top" in argv[4:]
    problems = check_answer(read_headers(hpath), kind, body, status, top)
    for p in problems:
        print("answer %s: %s" % (hpath, p))
    if problems:
        with open(hpath, encoding="latin-1") as f:
            sys.stdout.write(f.read())
    return 1 if problems else 0


def cmd_batch(argv):
    codes, kind, hpath, cpath, ppath = argv[:5]
    bodies = argv[5:]
    with open(cpath) as f:
        got = f.read().split()
    with open(ppath, encoding="utf-8") as f:
        paths = f.read().split("\n")[:len(bodies)]
    blocks = []
    with open(hpath, encoding="latin-1") as f:
        for line in f:
            if line.startswith("HTTP/"):
                blocks.append([])
            elif blocks and ":" in line:
                k, v = line.split(":", 1)
                blocks[-1].append((k.strip().lower(), v.strip()))
    problems = []
    if len(got) != len(bodies) or len(blocks) != len(bodies):
        problems.append("%d requests, %d statuses, %d header blocks" % (
            len(bodies), len(got), len(blocks)))
    for i, (path, body) in enumerate(zip(paths, bodies)):
        code = got[i] if i < len(got) else "none"
        if code not in codes.split("|"):
            problems.append("/%s: status %s, expected %s" % (path, code, codes))
            continue
        for p in check_answer(blocks[i] if i < len(blocks) else [],
                              kind, body, code, False, lint=False):
            problems.append("/%s: %s" % (path, p))
        try:
            with open(body, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
        if re.search(rb"root:[^:\n]*:0:0:", data):
            problems.append("/%s: answered /etc/passwd" % path)
    for p in problems:
        print(p)
    return 1 if problems else 0


def check_answer(h, kind, body, status, top, lint=True):
    problems = []

    def values(name):
        return [v for k, v in h if k == name]
    for name, want in (("content-security-policy", CSP),
                       ("x-content-type-options", "nosniff")):
        got = values(name)
        if got != [want]:
            problems.append("%s: %r, expected [%r]" % (name, got, want))
    ct = values("content-type")
    if kind == "html":
        if [c.lower() for c in ct] != ["text/html; charset=utf-8"]:
            problems.append("Content-Type %r, expected text/html; "
                            "charset=utf-8" % ct)
        elif status == "200" and lint:
            if cmd_lint([body] + (["--top"] if top else [])):
                problems.append("the page fails lint")
    elif kind == "json":
        if len(ct) != 1 or not re.fullmatch(
                r"application/json(; *charset=utf-8)?", ct[0], re.I):
            problems.append("Content-Type %r, expected application/json"
                            % ct)
        try:
            try:
                with open(body, encoding="utf-8") as f:
                    d = json.load(f)
            except FileNotFoundError:
                d = json.loads("")
            if status != "200" and (
                    not isinstance(d, dict) or list(d) != ["error"]
                    or not isinstance(d["error"], str) or not d["error"]):
                problems.append("not an error object: %r" % d)
        except ValueError as e:
            problems.append("not JSON: %s" % e)
    elif kind != "any":
        sys.exit("serve-check: bad KIND %r" % kind)
    return problems


def cmd_join(argv):
    base, href = argv
    u = urllib.parse.urljoin("http://catalog.invalid" + base, href)
    p = urllib.parse.urlsplit(u)
    if p.scheme != "http" or p.netloc != "catalog.invalid":
        print("link %r on %r leads elsewhere" % (href, base), file=sys.stderr)
        return 1
    print(p.path[1:] + ("?" + p.query if p.query else ""))
    return 0


def cmd_png(argv):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    sys.stdout.buffer.write(
        b"\x89PNG\r\n\x1a\n" +
        chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) +
        chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = {"select": cmd_select, "lint": cmd_lint, "join": cmd_join,
           "answer": cmd_answer, "batch": cmd_batch,
           "png": cmd_png, "json-eq": cmd_json_eq}.get(sys.argv[1])
    if cmd is None:
        sys.exit(__doc__)
    sys.exit(cmd(sys.argv[2:]))


if __name__ == "__main__":
    main()
