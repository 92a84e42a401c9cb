#!/bin/sh

test_description='SigV4 signatures match botocore

A python3 script makes S3 requests (keys with spaces, unicode, "+", "~"
and other reserved bytes; the query strings of ListObjectsV2, versions,
multipart uploads; session tokens; signed headers such as content-md5,
range, if-match and x-amz-meta-*), and asks botocore S3SigV4Auth for the
Authorization header of each at a fixed time. test-tool sigv4 must print
the same line for the same request, encoding the path and the query
itself.'

. ./test-lib.sh

PY=/usr/bin/python3
test_lazy_prereq BOTOCORE '
	$PY -c "import botocore.auth, botocore.awsrequest, botocore.credentials"
'

test_expect_success BOTOCORE 'botocore signs the requests' '
	cat >gen.py <<-\EOF &&
	import datetime, hashlib, os, random, sys, time, types
	import botocore.auth
	from botocore.auth import S3SigV4Auth
	from botocore.awsrequest import AWSRequest
	from botocore.credentials import Credentials
	from botocore.utils import percent_encode

	rng = random.Random(9001)
	B64 = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	       "0123456789+/")
	KEY_CHARS = ("abcXYZ019 -._~/+=&%#?!$()*,;:@[]\x27\"<>{}|\\^`"
	             "\u00e9\u00fc\u4e2d\u6587\U0001f600\u0416")

	def b64(n):
	    return "".join(rng.choice(B64) for _ in range(n))

	def key_id():
	    return "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
	                            for _ in range(16))

	def token():
	    return b64(rng.randint(100, 400)) + "=="

	def rand_key():
	    n = rng.randint(1, 30)
	    return "".join(rng.choice(KEY_CHARS) for _ in range(n))

	class Fixed(datetime.datetime):
	    epoch = 0

	    @classmethod
	    def utcnow(cls):
	        t = datetime.datetime.fromtimestamp(cls.epoch,
	                                            datetime.timezone.utc)
	        return t.replace(tzinfo=None)

	    @classmethod
	    def now(cls, tz=None):
	        return datetime.datetime.fromtimestamp(cls.epoch, tz)

	# botocore takes the time from datetime.datetime.utcnow() (newer
	# versions: now(timezone.utc) or get_current_datetime()).
	shim = types.ModuleType("datetime")
	shim.__dict__.update(datetime.__dict__)
	shim.datetime = Fixed
	botocore.auth.datetime = shim
	if hasattr(botocore.auth, "get_current_datetime"):
	    botocore.auth.get_current_datetime = lambda *a, **k: Fixed.utcnow()

	cases = []

	def case(method="GET", path="/bucket/key", query=(), body=b"",
	         headers=(), kid=None, secret=None, tok=None,
	         region="us-east-1", host="bucket.s3.amazonaws.com",
	         scheme="https", unsigned=False, epoch=None):
	    cases.append(dict(method=method, path=path, query=list(query),
	                      body=body, headers=list(headers),
	                      kid=kid or key_id(), secret=secret or b64(40),
	                      tok=tok, region=region, host=host, scheme=scheme,
	                      unsigned=unsigned,
	                      epoch=rng.randint(946684800, 4102444799)
	                      if epoch is None else epoch))

	MD5 = [("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")]
	case(path="/bucket/plain.txt", epoch=1369353600)
	case(path="/bucket/my folder/a b.txt")
	case(path="/bucket/donn\u00e9es/\u00e9t\u00e9 \U0001f31e.csv")
	case(path="/bucket/a+b~c=d&e%f#g?h!i\x27j(k)*l,m;n:o@p$q")
	case(path="/bucket/~/.config/x~y", tok=token())
	case(path="/bucket", query=[("list-type", "2"), ("prefix", "a/b/"),
	                            ("delimiter", "/"),
	                            ("continuation-token", "1/abc+def==")])
	case(path="/bucket", query=[("list-type", "2"),
	                            ("prefix", "d\u00e9j\u00e0 vu/"),
	                            ("start-after", "a b&c=d"),
	                            ("max-keys", "1000")], tok=token())
	case(path="/bucket/k", query=[("versionId", "3HL4kqtJlcpXroDTDmJ+rmSp"
	                              "Xd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo")])
	case(path="/bucket", query=[("versions", None), ("prefix", "x y"),
	                            ("key-marker", "k~1"),
	                            ("version-id-marker", "null")])
	case("POST", "/bucket/big file.bin", [("uploads", None)])
	case("POST", "/bucket/big file.bin", [("uploads", "")], tok=token())
	case("PUT", "/bucket/big file.bin",
	     [("partNumber", "7"), ("uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcnc"
	                            "yBteS1tb3ZpZS5tMnRzIHVwbG9hZA--")],
	     body=os.urandom(1) * 1000)
	case("POST", "/bucket/big file.bin", [("uploadId", "a.b_c-d~e+f/g")],
	     body=b"<CompleteMultipartUpload></CompleteMultipartUpload>")
	case("DELETE", "/bucket/big file.bin", [("uploadId", "xyz")])
	case("HEAD", "/bucket/x", kid="test:tester", secret="testing",
	     host="127.0.0.1:9000", scheme="http")
	case("PUT", "/bucket/meta.json", body=b"{}", headers=MD5 + [
	     ("x-amz-meta-quilt", "{\"a\": 1}"), ("X-Amz-Meta-Author", "me"),
	     ("Content-Type", "application/json")])
	case(path="/bucket/r", headers=[("Range", "bytes=0-9")])
	case(path="/bucket/r", headers=[("If-Match", "\"0123abcd\"")],
	     tok=token())
	case("PUT", "/bucket/latest", body=b"1a2b3c",
	     headers=[("If-None-Match", "*")])
	case("PUT", "/bucket/latest", body=b"9f8e",
	     headers=[("If-Match", "\"9f8e\""), ("Content-Length", "4")],
	     region="eu-central-1",
	     host="bucket.s3.eu-central-1.amazonaws.com")
	case("PUT", "/bucket/stream.bin", body=b"abc", headers=MD5,
	     unsigned=True)
	case("PUT", "/bucket/stream.bin", body=b"abc", headers=MD5,
	     unsigned=True, tok=token(), kid="ASIA:colon:id")
	case(path="/bucket/w", headers=[("x-amz-meta-odd",
	                                 "  two   words\tand  tab  ")])
	case(path="/bucket/d", headers=[("x-amz-meta-dup", "first"),
	                                ("x-amz-meta-dup", "second")])
	case("POST", "/bucket", [("delete", "")], headers=MD5,
	     body=b"<Delete><Object><Key>a</Key></Object></Delete>")
	case("PUT", "/bucket/copy", headers=[
	     ("x-amz-copy-source", "/bucket/src%20key?versionId=1"),
	     ("x-amz-tagging", "a=b&c=d"),
	     ("x-amz-meta-summer", "\u00e9t\u00e9")])
	case(path="/", host="s3.amazonaws.com", epoch=0)
	case(path="/bucket/last second", epoch=4102444799)
	for i in range(12):
	    query = [(rng.choice(["prefix", "delimiter", "marker", "a b",
	                          "\u00e9", "x+y", "~t", "Z"]),
	              rng.choice([None, "", rand_key()]))
	             for _ in range(rng.randint(0, 4))]
	    headers = [(rng.choice(["x-amz-meta-k", "Range", "If-Match",
	                            "x-amz-meta-" + str(i)]), rand_key().strip()
	                or "v") for _ in range(rng.randint(0, 3))]
	    case(rng.choice(["GET", "PUT", "HEAD", "DELETE", "POST"]),
	         "/b%d/" % i + rand_key(), query, body=os.urandom(i),
	         headers=headers, tok=rng.choice([None, token()]),
	         region=rng.choice(["us-east-1", "us-west-2", "ap-south-1"]))

	def esc(s, name):
	    s = s.replace("%", "%25").replace("&", "%26")
	    return s.replace("=", "%3D") if name else s

	expect = open("expect", "w", encoding="utf-8")
	secrets = open("secrets", "w", encoding="utf-8")
	for n, c in enumerate(cases):
	    qs = "&".join(percent_encode(k) + ("" if v is None else
	                                       "=" + percent_encode(v))
	                  for k, v in c["query"])
	    url = "%s://%s%s%s" % (c["scheme"], c["host"],
	                           percent_encode(c["path"], safe="/~"),
	                           "?" + qs if qs else "")
	    req = AWSRequest(method=c["method"], url=url, data=c["body"])
	    for k, v in c["headers"]:
	        req.headers[k] = v
	    if c["unsigned"]:
	        req.context["payload_signing_enabled"] = False
	        payload = "UNSIGNED-PAYLOAD"
	    else:
	        payload = hashlib.sha256(c["body"]).hexdigest()
	    Fixed.epoch = c["epoch"]
	    creds = Credentials(c["kid"], c["secret"], c["tok"])
	    S3SigV4Auth(creds, "s3", c["region"]).add_auth(req)
	    want = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(c["epoch"]))
	    if req.headers["X-Amz-Date"] != want:
	        sys.exit("botocore did not sign at the fixed time")
	    if req.headers["X-Amz-Content-SHA256"] != payload:
	        sys.exit("botocore signed another payload hash")
	    expect.write("Authorization: %s\n" % req.headers["Authorization"])
	    secrets.write(c["secret"] + "\n")
	    if c["tok"]:
	        secrets.write(c["tok"] + "\n")
	    args = ["--region=" + c["region"], c["method"], c["host"],
	            esc(c["path"], False),
	            "&".join(esc(k, True) + ("" if v is None else
	                                     "=" + esc(v, False))
	                     for k, v in c["query"]),
	            payload, str(c["epoch"]), c["kid"], c["secret"]]
	    if c["tok"]:
	        args.append(c["tok"])
	    if c["headers"]:
	        args += ["--"] + ["%s: %s" % (k, v) for k, v in c["headers"]]
	    with open("case-%03d" % n, "wb") as f:
	        f.write(b"".join(os.fsencode(a) + b"\0" for a in args))
	print(len(cases))
	EOF
	$PY gen.py >count &&
	test $(cat count) -ge 30 &&
	test_line_count = $(cat count) expect
'

test_expect_success BOTOCORE 'test-tool sigv4 signs every request as botocore' '
	: >actual &&
	for f in case-*
	do
		xargs -0 test-tool sigv4 <"$f" >>actual || return 1
	done &&
	test_cmp expect actual
'

test_expect_success BOTOCORE 'no secret and no token is ever printed' '
	! grep -F -f secrets actual
'

test_expect_success 'the key id goes into Credential= as it is' '
	test-tool sigv4 GET h / "" UNSIGNED-PAYLOAD 0 test:tester s >out &&
	test_grep "Credential=test:tester/19700101/us-east-1/s3/aws4_request," out
'

test_expect_success 'a bad time is a usage error' '
	test_expect_code 129 test-tool sigv4 GET h / "" x -1 id s 2>err &&
	test_grep "^usage: " err
'

test_done
