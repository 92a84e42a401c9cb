#!/usr/bin/python3
"""Loopback stand-ins for the AWS services that hand out credentials,
for quire's credential tests (t9003).

    aws-endpoints.py --config FILE --log FILE --port-file FILE

It listens on 127.0.0.1 on a port the system chooses (written to
--port-file once it accepts connections) and serves:

  POST /sts/            STS: Action=AssumeRole (the request must be
                        signed with SigV4, service "sts", by a key of
                        "sources" or the key it hands out; the signature
                        is checked with that key's secret) and
                        Action=AssumeRoleWithWebIdentity (unsigned; the
                        WebIdentityToken must be "web_identity_token")
  GET  /sso/federation/credentials?account_id=A&role_name=R
                        SSO GetRoleCredentials: the header
                        x-amz-sso_bearer_token must be "sso_token"
  GET  /ecs/...         ECS container credentials: the Authorization
                        header must be "ecs_token" (when set)
  PUT  /latest/api/token, GET /latest/meta-data/iam/security-credentials/
                        and .../<role>: IMDSv2; every GET needs the token
                        the PUT handed out
  GET, HEAD anything else
                        a public bucket: an unsigned S3 request (a
                        signed one is refused) is signed with the keys of
                        "s3_upstream" and forwarded to that S3 server, as
                        a bucket open to anyone would answer it; PUT,
                        POST and DELETE there answer 403 AccessDenied

The config file (JSON, read again for each request) gives what to hand
out and what to expect:

    {"issue": {"AccessKeyId": ..., "SecretAccessKey": ...,
               "SessionToken": ..., "Expiration": ...},
     "sources": {"AKID": {"secret": ..., "token": ...}},
     "web_identity_token": ..., "sso_token": ..., "ecs_token": ...,
     "imds_role": ..., "sts_region": "us-east-1",
     "s3_upstream": {"url": ..., "key": ..., "secret": ...}}

The log gets one line per request, "SERVICE WHAT ok" or
"SERVICE WHAT refused: WHY"; never a secret.
"""

import argparse
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import secrets
import sys
import urllib.parse
from xml.sax.saxutils import escape

ARGS = None
IMDS_TOKENS = set()


def config():
    with open(ARGS.config) as f:
        return json.load(f)


def log(line):
    with open(ARGS.log, "a") as f:
        f.write(line + "\n")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def check_sigv4(headers, method, path, query, body, cfg):
    """None when the request is signed by a known key, else why not."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "not signed with SigV4"
    fields = {}
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    try:
        key_id, date, region, service, term = fields["Credential"].rsplit("/", 4)
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        return "malformed Authorization"
    known = dict(cfg.get("sources", {}))
    issued = cfg.get("issue", {})
    known[issued.get("AccessKeyId")] = {
        "secret": issued.get("SecretAccessKey"),
        "token": issued.get("SessionToken")}
    if key_id not in known:
        return "unknown key"
    if service != "sts" or term != "aws4_request":
        return "scope is not sts"
    if region != cfg.get("sts_region", "us-east-1"):
        return "signed for region " + region
    want_token = known[key_id].get("token")
    if want_token and headers.get("x-amz-security-token") != want_token:
        return "wrong or missing x-amz-security-token"
    for need in ("host", "x-amz-date"):
        if need not in signed:
            return need + " not signed"
    amz_date = headers.get("x-amz-date", "")
    if amz_date[:8] != date:
        return "x-amz-date does not match the scope"
    payload = sha256_hex(body)
    if headers.get("x-amz-content-sha256", payload) != payload:
        return "x-amz-content-sha256 is not the body's"
    canon = []
    for name in signed:
        value = headers.get(name)
        if value is None:
            return "signed header %s missing" % name
        canon.append("%s:%s\n" % (name, " ".join(value.split())))
    creq = "\n".join([method, path, query, "".join(canon),
                      ";".join(signed), payload])
    scope = "/".join([date, region, service, term])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     sha256_hex(creq.encode())])
    k = sigv4_key(known[key_id]["secret"], date, region, service)
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, signature):
        return "bad signature"
    return None


def sts_answer(action, issue):
    return ("<{a}Response xmlns=\"https://sts.amazonaws.com/doc/"
            "2011-06-15/\"><{a}Result><Credentials>"
            "<AccessKeyId>{i}</AccessKeyId>"
            "<SecretAccessKey>{s}</SecretAccessKey>"
            "<SessionToken>{t}</SessionToken>"
            "<Expiration>{e}</Expiration>"
            "</Credentials></{a}Result></{a}Response>").format(
                a=action, i=escape(issue["AccessKeyId"]),
                s=escape(issue["SecretAccessKey"]),
                t=escape(issue["SessionToken"]),
                e=escape(issue["Expiration"])).encode()


def sts_error(code, message):
    return ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code>"
            "<Message>%s</Message></Error></ErrorResponse>"
            % (escape(code), escape(message))).encode()


def sigv4_key(secret, date, region, service):
    k = hmac256(("AWS4" + secret).encode(), date)
    for part in (region, service, "aws4_request"):
        k = hmac256(k, part)
    return k


def quote(s):
    return urllib.parse.quote(s, safe="-_.~")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    def refuse(self, service, what, why, status=403):
        log("%s %s refused: %s" % (service, what, why))
        if service == "sts":
            self.answer(status, sts_error("AccessDenied", why), "text/xml")
        else:
            self.answer(status, json.dumps({"message": why}).encode())

    def do_POST(self):
        cfg = config()
        body = self.body()
        url = urllib.parse.urlsplit(self.path)
        if not url.path.startswith("/sts"):
            return self.public_bucket("POST", cfg, url)
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        action = form.get("Action", [""])[0]
        issue = cfg["issue"]
        if form.get("Version") != ["2011-06-15"]:
            return self.refuse("sts", action, "no Version=2011-06-15", 400)
        if not form.get("RoleArn") or not form.get("RoleSessionName"):
            return self.refuse("sts", action, "no RoleArn or RoleSessionName",
                               400)
        role = form["RoleArn"][0]
        if action == "AssumeRole":
            why = check_sigv4(self.headers, "POST", url.path, url.query,
                              body, cfg)
            if why:
                return self.refuse("sts", action, why)
            key = self.headers["Authorization"].split("Credential=")[1]
            log("sts AssumeRole %s by %s ok" % (role, key.split("/")[0]))
        elif action == "AssumeRoleWithWebIdentity":
            if "Authorization" in self.headers:
                return self.refuse("sts", action, "signed", 400)
            if form.get("WebIdentityToken") != [cfg.get("web_identity_token")]:
                return self.refuse("sts", action, "wrong WebIdentityToken")
            log("sts AssumeRoleWithWebIdentity %s session %s ok"
                % (role, form["RoleSessionName"][0]))
        else:
            return self.refuse("sts", action, "unknown Action", 400)
        self.answer(200, sts_answer(action, issue), "text/xml")

    def creds_json(self, token_key):
        issue = config()["issue"]
        return json.dumps({
            "Code": "Success", "Type": "AWS-HMAC",
            "AccessKeyId": issue["AccessKeyId"],
            "SecretAccessKey": issue["SecretAccessKey"],
            token_key: issue["SessionToken"],
            "Expiration": issue["Expiration"]}).encode()

    def do_GET(self):
        cfg = config()
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/sso/federation/credentials":
            return self.sso(cfg, url)
        if url.path.startswith("/ecs/"):
            want = cfg.get("ecs_token")
            if want and self.headers.get("Authorization") != want:
                return self.refuse("ecs", url.path, "wrong Authorization",
                                   401)
            log("ecs %s ok" % url.path)
            return self.answer(200, self.creds_json("Token"))
        prefix = "/latest/meta-data/iam/security-credentials/"
        if url.path.startswith(prefix):
            if self.headers.get("X-aws-ec2-metadata-token") not in IMDS_TOKENS:
                return self.refuse("imds", "GET", "no IMDSv2 token", 401)
            role = cfg.get("imds_role")
            if not role:
                return self.refuse("imds", "GET", "no role", 404)
            if url.path == prefix:
                log("imds role ok")
                return self.answer(200, role.encode(), "text/plain")
            if url.path == prefix + role:
                log("imds credentials ok")
                return self.answer(200, self.creds_json("Token"))
        return self.public_bucket("GET", cfg, url)

    def do_HEAD(self):
        self.public_bucket("HEAD", config(), urllib.parse.urlsplit(self.path))

    def do_DELETE(self):
        self.public_bucket("DELETE", config(), urllib.parse.urlsplit(self.path))

    def s3_refuse(self, method, path, why, status):
        log("s3 %s %s refused: %s" % (method, path, why))
        body = ("<Error><Code>AccessDenied</Code><Message>%s</Message>"
                "</Error>" % escape(why)).encode()
        self.answer(status, b"" if method == "HEAD" else body,
                    "application/xml")

    def public_bucket(self, method, cfg, url):
        up = cfg.get("s3_upstream")
        if not up:
            return self.refuse("http", method + " " + url.path,
                               "no such path", 404)
        if "Authorization" in self.headers:
            return self.s3_refuse(method, url.path,
                                  "a signed request to the public bucket",
                                  400)
        if method not in ("GET", "HEAD"):
            return self.s3_refuse(method, url.path,
                                  "the public bucket is read-only", 403)
        target = urllib.parse.urlsplit(up["url"])
        pairs = sorted(urllib.parse.parse_qsl(url.query,
                                              keep_blank_values=True))
        query = "&".join("%s=%s" % (quote(k), quote(v)) for k, v in pairs)
        amz = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y%m%dT%H%M%SZ")
        payload = sha256_hex(b"")
        headers = {"host": target.netloc, "x-amz-date": amz,
                   "x-amz-content-sha256": payload}
        if self.headers.get("Range"):
            headers["range"] = self.headers["Range"]
        signed = sorted(headers)
        creq = "\n".join([method, url.path, query,
                          "".join("%s:%s\n" % (h, headers[h])
                                  for h in signed),
                          ";".join(signed), payload])
        scope = amz[:8] + "/us-east-1/s3/aws4_request"
        sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                         sha256_hex(creq.encode())])
        k = sigv4_key(up["secret"], amz[:8], "us-east-1", "s3")
        headers["Authorization"] = (
            "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
            "Signature=%s" % (up["key"], scope, ";".join(signed),
                              hmac.new(k, sts.encode(),
                                       hashlib.sha256).hexdigest()))
        conn = http.client.HTTPConnection(target.hostname, target.port,
                                          timeout=30)
        conn.request(method, url.path + ("?" + query if query else ""),
                     headers=headers)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        log("s3 %s %s unsigned %d" % (method, url.path, r.status))
        self.send_response(r.status)
        for name, value in r.getheaders():
            if name.lower() in ("content-type", "etag", "last-modified",
                                "content-range", "x-amz-version-id") or \
                    name.lower().startswith("x-amz-meta-"):
                self.send_header(name, value)
        self.send_header("Content-Length",
                         r.getheader("Content-Length", str(len(body))))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def sso(self, cfg, url):
        q = urllib.parse.parse_qs(url.query)
        if self.headers.get("x-amz-sso_bearer_token") != cfg.get("sso_token"):
            return self.refuse("sso", "GetRoleCredentials", "wrong token",
                               401)
        issue = cfg["issue"]
        exp = datetime.datetime.strptime(issue["Expiration"],
                                         "%Y-%m-%dT%H:%M:%SZ")
        exp = exp.replace(tzinfo=datetime.timezone.utc)
        log("sso GetRoleCredentials %s %s ok"
            % (q.get("account_id", [""])[0], q.get("role_name", [""])[0]))
        self.answer(200, json.dumps({"roleCredentials": {
            "accessKeyId": issue["AccessKeyId"],
            "secretAccessKey": issue["SecretAccessKey"],
            "sessionToken": issue["SessionToken"],
            "expiration": int(exp.timestamp()) * 1000}}).encode())

    def do_PUT(self):
        self.body()
        if self.path != "/latest/api/token":
            return self.public_bucket("PUT", config(),
                                      urllib.parse.urlsplit(self.path))
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.refuse("imds", "token", "no TTL header", 400)
        token = secrets.token_hex(16)
        IMDS_TOKENS.add(token)
        log("imds token ok")
        self.answer(200, token.encode(), "text/plain")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--config", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    ARGS = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, ARGS.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
