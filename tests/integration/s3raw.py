"""Raw S3 requests for tests that need control over every byte: a small SigV4 signer
(header auth, any date, UNSIGNED-PAYLOAD or a real payload hash), a raw socket client, and
S3 error XML parsing. Independent of boto3, so a bug in either side shows up as a test failure."""

import datetime
import hashlib
import hmac
import re
import socket
import urllib.parse
import xml.etree.ElementTree as ET

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"


def amz_date(when=None):
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%Y%m%dT%H%M%SZ")


def _uri_encode(s, safe="-_.~"):
    return urllib.parse.quote(s, safe=safe)


def canonical_query(query):
    pairs = []
    for k, v in query:
        pairs.append((_uri_encode(k), _uri_encode(v)))
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def signing_key(secret_key, scope_date, region="us-east-1", service="s3"):
    key = ("AWS4" + secret_key).encode()
    for part in (scope_date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature_of(headers):
    return headers["authorization"].rsplit("Signature=", 1)[1]


def aws_chunked_body(data, chunk_size, seed_signature, secret_key, date, region="us-east-1",
                     corrupt_chunk=None):
    """Encodes `data` as STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunks, each signed and chained
    from the seed signature. `corrupt_chunk`: index of a chunk whose signature is broken."""
    scope_date = date[:8]
    scope = f"{scope_date}/{region}/s3/aws4_request"
    key = signing_key(secret_key, scope_date, region)
    prev = seed_signature
    out = []
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    for i, chunk in enumerate(chunks):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", date, scope, prev, EMPTY_SHA256,
                         hashlib.sha256(chunk).hexdigest()])
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        prev = sig
        if i == corrupt_chunk:
            sig = ("0" if sig[0] != "0" else "1") + sig[1:]
        out.append(f"{len(chunk):x};chunk-signature={sig}\r\n".encode() + chunk + b"\r\n")
    return b"".join(out)


def sign_v4(method, path, query, headers, payload_hash, access_key, secret_key,
            date=None, region="us-east-1", service="s3", content_sha256_header=True):
    """Adds x-amz-date, x-amz-content-sha256 (unless `content_sha256_header` is False: then the
    payload hash is signed without the header, as some SDKs do) and Authorization to `headers`
    (a dict with lowercase names, which must include host). `path` is already URI-encoded.
    Returns headers."""
    date = date or amz_date()
    headers = dict(headers)
    headers.setdefault("x-amz-date", date)
    if content_sha256_header:
        headers["x-amz-content-sha256"] = payload_hash
    scope_date = date[:8] if len(date) >= 8 else "20000101"
    # The canonical URI encodes each byte of the decoded path once (unreserved characters
    # and '/' as they are), whatever escaping the request line uses.
    path = urllib.parse.quote(urllib.parse.unquote(path), safe="/-_.~")
    signed = sorted(headers)
    canonical_headers = "".join(f"{h}:{' '.join(str(headers[h]).split())}\n" for h in signed)
    signed_headers = ";".join(signed)
    creq = "\n".join([method, path, canonical_query(query), canonical_headers, signed_headers,
                      payload_hash])
    scope = f"{scope_date}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = signing_key(secret_key, scope_date, region, service)
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
                                f"SignedHeaders={signed_headers}, Signature={sig}")
    return headers


def parse_error(body):
    """Returns (Code, Message) from an S3 <Error> document, or (None, None)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        # Not well-formed XML (e.g. a character reference XML 1.0 forbids, like &#x0;):
        # still read the Code, the test of the document itself is elsewhere.
        m = re.search(rb"<Error>.*?<Code>([^<]*)</Code>", body, re.S)
        return (m.group(1).decode(), None) if m else (None, None)
    if root.tag != "Error":
        return None, None
    return root.findtext("Code"), root.findtext("Message")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lowercase names
        self.body = body

    @property
    def code(self):
        return parse_error(self.body)[0]

    def __repr__(self):
        return f"Response({self.status}, {self.body[:300]!r})"


def _read_response(sock, timeout, head_request=False):
    sock.settimeout(timeout)
    f = sock.makefile("rb")
    status_line = f.readline(65536)
    if not status_line:
        raise ConnectionError("connection closed before a response")
    parts = status_line.decode("latin-1").split(" ", 2)
    status = int(parts[1])
    headers = {}
    while True:
        line = f.readline(65536)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if head_request or status in (204, 304) or 100 <= status < 200:
        return Response(status, headers, body)
    if "content-length" in headers:
        n = int(headers["content-length"])
        body = f.read(n)
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(f.readline().split(b";")[0].strip(), 16)
            if size == 0:
                f.readline()
                break
            chunks.append(f.read(size))
            f.readline()
        body = b"".join(chunks)
    else:
        body = f.read()
    return Response(status, headers, body)


def send_raw(host, port, data, timeout=10, head_request=False):
    """Sends `data` (bytes) on a new connection and reads one response."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        return _read_response(s, timeout, head_request)


def build_request(method, target, headers, body=b""):
    lines = [f"{method} {target} HTTP/1.1"]
    for k, v in headers.items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Signer:
    """Signs and sends requests for one server with one set of credentials."""

    def __init__(self, host, port, access_key, secret_key):
        self.host, self.port = host, port
        self.access_key, self.secret_key = access_key, secret_key

    def request(self, method, path, query=(), headers=None, body=b"", payload_hash=None,
                date=None, secret_key=None, access_key=None, timeout=15, sign=True,
                content_sha256_header=True):
        """path: already URI-encoded (e.g. '/bucket/key'). query: list of (name, value)."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        headers.setdefault("host", f"{self.host}:{self.port}")
        if body or method in ("PUT", "POST"):
            headers.setdefault("content-length", str(len(body)))
        if payload_hash is None:
            payload_hash = hashlib.sha256(body).hexdigest()
        if sign:
            headers = sign_v4(method, path, query, headers, payload_hash,
                              access_key or self.access_key, secret_key or self.secret_key,
                              date=date, content_sha256_header=content_sha256_header)
        target = path + ("?" + canonical_query(query) if query else "")
        return send_raw(self.host, self.port, build_request(method, target, headers, body),
                        timeout=timeout, head_request=(method == "HEAD"))
