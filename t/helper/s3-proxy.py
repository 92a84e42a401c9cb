#!/usr/bin/env python3
"""A forwarding HTTP/1.1 proxy with fault injection, for quire's S3 tests.

    s3-proxy.py --upstream http://127.0.0.1:PORT --log FILE
                [--rules FILE] [--port N] [--port-file FILE] [--timeout S]

It listens on 127.0.0.1 (port 0, the default, lets the system choose one;
--port-file receives the port once the proxy accepts connections; the
upstream gets --timeout seconds, 300 by default, to answer) and
forwards each request to the upstream server unchanged: method, target
(path and query as sent), every header including Host (SigV4 signs it)
and the body, whether sized by Content-Length or chunked. The answer goes
back unchanged (status, headers, body); connections are kept alive as
HTTP/1.1 allows, and each request gets a fresh upstream connection.

The log gets one line per request, written before the answer is sent
(for delay:MS, before the wait):

    METHOD TARGET STATUS

STATUS is the upstream status; for a request a rule fired on, the
rule's ACTION as written ("503", "drop", "acted", "truncate", "flip",
"flip@N", "delay:MS", "stall"; "pass" logs the upstream status); "abort"
when the client went away before the request was complete; or 502 when
the upstream could not be reached (a delay:MS fault's line stays the
only one). Header values are never logged (they hold signatures).

The rules file is read again for each request; each line is

    COUNT ACTION METHOD TARGET_REGEX

e.g. "2 503 PUT ^/bucket/ns/": the next 2 PUT requests whose target
matches the (Python, unanchored) regex get a 503 with an S3 XML error
body, without being forwarded. ACTION is one of:

  400 to 599  answer this HTTP status with an S3 XML error body (503 and
              429 answer SlowDown, 500 InternalError), not forwarded
  drop        read the request, then close the connection without
              answering; not forwarded
  acted       forward the request and read the upstream's whole answer
              (the server acted on it: a PUT, POST or DELETE took
              effect), then close the connection without answering
  truncate    forward; send the answer's status and headers unchanged,
              then only the first half of its body (at least 1 byte
              short), and close the connection. An answer without a
              body (HEAD, 204, Content-Length: 0) is cut inside its
              headers instead: the first half of the head, then close
  flip        forward; answer with the status and headers unchanged and
              one byte of the body flipped (XOR 0x01) at its middle
              offset (length // 2); an answer without a body goes back
              unchanged
  flip@N      the same at offset N (the last byte when the body is
              shorter)
  delay:MS    wait MS milliseconds, then forward as usual (the client may
              give up meanwhile: the request still reaches the upstream)
  stall       read the request, then never answer: the connection stays
              open until the client closes it (or 120 s pass); not
              forwarded
  pass        forward as usual: a line before another for the same
              requests lets COUNT of them through, so that the other
              fires on a later one (say, the write after a probe)

METHOD "*" matches any method. The first matching line with a COUNT
above 0 fires; its COUNT goes down by one and the file is written back.
Blank lines and lines starting with "#" are ignored; bad lines are
reported on stderr. Files named FILE.<suffix> beside the rules file
FILE (not ending in ".tmp") are read after it, in name order, as if
appended to it: concurrent users of one proxy keep their rules apart.
"""

import argparse
import email.utils
import glob
import http.client
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

BUF = 65536
LOCK = threading.Lock()  # the log and the rules file
OPTS = None
WARNED = set()
SEQ = [0]

ERRORS = {
    429: ('SlowDown', 'Please reduce your request rate.'),
    500: ('InternalError', 'We encountered an internal error. Please try again.'),
    502: ('BadGateway', 'The proxy could not reach the upstream server.'),
    503: ('SlowDown', 'Please reduce your request rate.'),
}


# The actions a rule may name (the statuses aside).
ACTION_RE = re.compile(r'[45][0-9][0-9]|drop|acted|truncate|flip(@[0-9]+)?'
                       r'|delay:[0-9]+|stall|pass')


def forwarded(action):
    """Does this action forward the request to the upstream?"""
    return (action in ('acted', 'truncate', 'pass')
            or action.startswith('flip') or action.startswith('delay:'))


def chunk(data):
    """data as one chunk of a chunked body (nothing for no data)."""
    return b'%x\r\n%s\r\n' % (len(data), data) if data else b''


class ClientGone(Exception):
    """The client closed the connection or sent a broken request body."""


def warn(msg):
    print('s3-proxy: ' + msg, file=sys.stderr, flush=True)


def log(method, target, status):
    with LOCK:
        with open(OPTS.log, 'a', encoding='latin-1') as f:
            f.write('%s %s %s\n' % (method, target, status))


def take_fault(method, target):
    """The action of the first rule that matches, its count taken down."""
    if not OPTS.rules:
        return None
    with LOCK:
        names = glob.glob(glob.escape(OPTS.rules) + '.*')
        for name in [OPTS.rules] + sorted(names):
            if name.endswith('.tmp'):
                continue
            action = take_rule(name, method, target)
            if action is not None:
                return action
    return None


def take_rule(name, method, target):
    """take_fault() in the rules file name (LOCK held)."""
    try:
        with open(name, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    for i, line in enumerate(lines):
        fields = line.split(None, 3)
        if not fields or fields[0].startswith('#'):
            continue
        try:
            if len(fields) != 4:
                raise ValueError('want COUNT ACTION METHOD REGEX')
            count = int(fields[0])
            action, meth, regex = fields[1], fields[2], fields[3]
            if not ACTION_RE.fullmatch(action):
                raise ValueError('bad action %r' % action)
            rx = re.compile(regex)
        except (ValueError, re.error) as e:
            if line not in WARNED:
                WARNED.add(line)
                warn('ignoring rule %r: %s' % (line, e))
            continue
        if count <= 0 or meth not in ('*', method) or not rx.search(target):
            continue
        lines[i] = '%d %s %s %s' % (count - 1, action, meth, regex)
        tmp = name + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        os.replace(tmp, name)
        return action
    return None


class Upstream:
    """One request's connection to the upstream server; send errors are
    kept, so that the client's body is still read to its end."""

    def __init__(self, method, target, headers):
        self.error = None
        self.head_sent = False
        self.conn = http.client.HTTPConnection(
            OPTS.up_host, OPTS.up_port, timeout=OPTS.timeout)
        try:
            self.conn.connect()
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn.putrequest(method, target, skip_host=True,
                                 skip_accept_encoding=True)
            for name, value in headers:
                self.conn.putheader(name, value)
            self.conn.endheaders()
            self.head_sent = True
        except (OSError, http.client.HTTPException) as e:
            self.error = e

    def send(self, data):
        if self.error is None:
            try:
                self.conn.sock.sendall(data)
            except OSError as e:
                self.error = e

    def close(self):
        self.conn.close()


def discard(data):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 120  # an idle or stalled client connection is closed
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def __getattr__(self, name):
        if name.startswith('do_'):
            return self.forward
        raise AttributeError(name)

    # The request body, copied to send() as it arrives (chunked framing
    # included, byte for byte).
    def read_exact(self, n, send):
        while n > 0:
            data = self.rfile.read1(min(n, BUF))
            if not data:
                raise ClientGone()
            send(data)
            n -= len(data)

    def read_line(self, send):
        line = self.rfile.readline(BUF + 1)
        if not line.endswith(b'\n'):
            raise ClientGone()
        send(line)
        return line

    def copy_body(self, send):
        te = self.headers.get('Transfer-Encoding', '')
        if 'chunked' in te.lower():
            while True:
                line = self.read_line(send)
                try:
                    size = int(line.split(b';', 1)[0].strip(), 16)
                except ValueError:
                    raise ClientGone()
                if size == 0:
                    while self.read_line(send) not in (b'\r\n', b'\n'):
                        pass  # trailers
                    return
                self.read_exact(size + 2, send)
        length = self.headers.get('Content-Length')
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                raise ClientGone()
            self.read_exact(n, send)

    def forward(self):
        method = self.command
        target = self.requestline.split()[1]  # as sent: http.server may rewrite self.path
        try:
            action = take_fault(method, target)
            if action is None or forwarded(action):
                logged = False
                if action and action.startswith('delay:'):
                    log(method, target, action)  # the client may give up
                    logged = True
                    time.sleep(int(action[6:]) / 1000.0)
                self.relay(method, target, action, logged)
            else:
                try:
                    self.copy_body(discard)
                except ClientGone:
                    log(method, target, 'abort')
                    raise
                self.inject(method, target, action)
        except (ClientGone, OSError, http.client.HTTPException):
            self.close_connection = True

    def inject(self, method, target, action, logged=False):
        if not logged:
            log(method, target, action)
        if action == 'drop':
            self.close_connection = True
            return
        if action == 'stall':
            # until the client closes, or the handler's timeout
            self.close_connection = True
            while self.rfile.read1(BUF):
                pass
            return
        status = int(action)
        code, message = ERRORS.get(status, ('InjectedFault', 'Fault injected by s3-proxy.'))
        with LOCK:
            SEQ[0] += 1
            rid = 's3proxy%08d' % SEQ[0]
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<Error><Code>%s</Code><Message>%s</Message>'
                '<Resource>%s</Resource><RequestId>%s</RequestId></Error>'
                % (code, message, escape(urllib.parse.unquote(target.split('?')[0])), rid)
                ).encode('utf-8')
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = 'Injected Fault'
        head = ('HTTP/1.1 %d %s\r\n'
                'Date: %s\r\n'
                'Content-Type: application/xml\r\n'
                'Content-Length: %d\r\n'
                'x-amz-request-id: %s\r\n'
                '\r\n' % (status, reason, email.utils.formatdate(usegmt=True),
                          len(body), rid))
        self.wfile.write(head.encode('latin-1') + (body if method != 'HEAD' else b''))

    def relay(self, method, target, action=None, logged=False):
        up = Upstream(method, target, self.headers.items())
        try:
            try:
                self.copy_body(up.send)
            except ClientGone:
                if not logged:
                    log(method, target, 'abort')
                raise
            resp = None
            if up.head_sent:  # the upstream may answer early, body or not
                try:
                    resp = up.conn.getresponse()
                except (OSError, http.client.HTTPException) as e:
                    up.error = up.error or e
            if resp is None:
                warn('%s %s: upstream failed: %r' % (method, target, up.error))
                self.inject(method, target, '502', logged)
                return
            if action in (None, 'pass') or action.startswith('delay:'):
                self.send_upstream_response(method, target, resp, logged)
            else:
                self.send_altered_response(method, target, resp, action)
        finally:
            up.close()

    @staticmethod
    def head_of(resp):
        head = ['HTTP/1.1 %d %s\r\n' % (resp.status, resp.reason)]
        head += ['%s: %s\r\n' % (k, v) for k, v in resp.msg.items()]
        head.append('\r\n')
        return ''.join(head).encode('latin-1')

    def send_altered_response(self, method, target, resp, action):
        """The upstream's whole answer, read, then acted, truncate or flip."""
        try:
            body = resp.read()  # the body, de-chunked; none for HEAD
        except (OSError, http.client.HTTPException) as e:
            warn('%s %s: upstream body: %r' % (method, target, e))
            log(method, target, action)
            self.close_connection = True
            return
        log(method, target, action)
        if action == 'acted':
            self.close_connection = True
            return
        head = self.head_of(resp)
        if action == 'truncate':
            self.close_connection = True
            if not body:
                self.wfile.write(head[:len(head) // 2])
            elif resp.chunked:
                self.wfile.write(head + chunk(body[:len(body) // 2]))
            else:
                self.wfile.write(head + body[:len(body) // 2])
            return
        if body:  # flip or flip@N
            at = action.partition('@')[2]
            off = min(int(at), len(body) - 1) if at else len(body) // 2
            body = bytearray(body)
            body[off] ^= 0x01
            body = bytes(body)
        if resp.will_close:
            self.close_connection = True
        if resp.chunked:
            body = chunk(body) + b'0\r\n\r\n'
        self.wfile.write(head + body)

    def send_upstream_response(self, method, target, resp, logged=False):
        if not logged:
            log(method, target, resp.status)
        self.wfile.write(self.head_of(resp))
        if resp.will_close:
            self.close_connection = True
        try:
            while True:
                try:
                    data = resp.read1(BUF)
                except (OSError, http.client.HTTPException) as e:
                    # the upstream broke off: so does the answer
                    warn('%s %s: upstream body: %r' % (method, target, e))
                    self.close_connection = True
                    return
                if not data:
                    if not resp.chunked and resp.length:
                        # the upstream broke off: so does the answer
                        warn('%s %s: upstream body: %d bytes missing'
                             % (method, target, resp.length))
                        self.close_connection = True
                        return
                    break
                if resp.chunked:
                    data = b'%x\r\n%s\r\n' % (len(data), data)
                self.wfile.write(data)
            if resp.chunked:
                self.wfile.write(b'0\r\n\r\n')
        except OSError:
            self.close_connection = True  # the client went away


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (OSError, ClientGone)):
            return
        super().handle_error(request, client_address)


def main():
    global OPTS
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--upstream', required=True, help='http://HOST:PORT')
    p.add_argument('--log', required=True)
    p.add_argument('--rules')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--port-file')
    p.add_argument('--timeout', type=float, default=300,
                   help='upstream socket timeout, seconds')
    OPTS = p.parse_args()
    up = urllib.parse.urlsplit(OPTS.upstream)
    if up.scheme != 'http' or not up.hostname:
        p.error('--upstream must be http://HOST:PORT')
    OPTS.up_host, OPTS.up_port = up.hostname, up.port or 80

    server = Server(('127.0.0.1', OPTS.port), Handler)
    if OPTS.port_file:
        tmp = OPTS.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write('%d\n' % server.server_address[1])
        os.replace(tmp, OPTS.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
