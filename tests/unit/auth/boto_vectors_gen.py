# Generates the requests in boto_vectors_test.cc: botocore builds and signs real S3 requests
# with a fixed clock; a before-send hook records them instead of sending. Run by hand:
#   python3 boto_vectors_gen.py > vectors.json
import datetime, io, json, sys, time
import botocore, botocore.auth, botocore.session
from botocore.config import Config
from botocore.awsrequest import AWSResponse
from email.utils import formatdate

FIXED = datetime.datetime(2024, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
TS = FIXED.timestamp()
botocore.auth.get_current_datetime = lambda *a, **k: FIXED.replace(tzinfo=None)
class FakeTime:
    def time(self): return TS
    def __getattr__(self, n): return getattr(time, n)
botocore.auth.time = FakeTime()
botocore.auth.formatdate = lambda timeval=None, localtime=False, usegmt=False: formatdate(TS, usegmt=True)

captured = []
class Resp:
    def __init__(self): pass
def before_send(request, **kwargs):
    body = request.body
    if hasattr(body, 'read'):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    captured.append({'method': request.method, 'url': request.url,
                     'headers': [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()],
                     'body': (body or b'').hex()})
    return AWSResponse(request.url, 200, {}, None)

def client(sig, endpoint, style='path'):
    s = botocore.session.get_session()
    c = s.create_client('s3', region_name='us-east-1', endpoint_url=endpoint,
                        aws_access_key_id='AKIAIOSFODNN7EXAMPLE',
                        aws_secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                        config=Config(signature_version=sig, s3={'addressing_style': style}))
    c.meta.events.register('before-send', before_send)
    return c

def safe(f):
    try:
        f()
    except Exception as e:
        print('ERR', type(e).__name__, e, file=sys.stderr)

c = client('s3v4', 'http://127.0.0.1:9000')
safe(lambda: c.put_object(Bucket='bkt', Key='dir/a b+c~!(x).txt', Body=b'hello world', ContentType='text/plain', Metadata={'k': 'v'}))
safe(lambda: c.list_objects_v2(Bucket='bkt', Prefix='a b/', Delimiter='/'))
safe(lambda: c.get_object(Bucket='bkt', Key='dir/k', Range='bytes=0-9', VersionId='v1'))
url = c.generate_presigned_url('get_object', Params={'Bucket': 'bkt', 'Key': 'dir/a b.txt', 'ResponseContentDisposition': 'attachment; filename="x y.txt"'}, ExpiresIn=3600)
captured.append({'presigned': url})
hc = client('s3v4', 'https://127.0.0.1:9000')
safe(lambda: hc.put_object(Bucket='bkt', Key='big', Body=io.BytesIO(b'x' * 70000)))
c2 = client('s3', 'http://127.0.0.1:9000')
safe(lambda: c2.get_object(Bucket='bkt', Key='dir/a b.txt'))
url2 = c2.generate_presigned_url('get_object', Params={'Bucket': 'bkt', 'Key': 'dir/a b.txt'}, ExpiresIn=3600)
captured.append({'presigned': url2})
c3 = client('s3', 'http://s3.local:9000', 'virtual')
safe(lambda: c3.put_object(Bucket='bkt', Key='k', Body=b'abc', ACL='public-read'))
url3 = c3.generate_presigned_url('get_object', Params={'Bucket': 'bkt', 'Key': 'k'}, ExpiresIn=60)
captured.append({'presigned': url3})
json.dump(captured, sys.stdout, indent=1)
