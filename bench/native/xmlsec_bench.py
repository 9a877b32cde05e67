#!/usr/bin/python3
"""libxml2/libxmlsec1 (python3-lxml, python3-xmlsec) doing the gateway's XML and WS-Security
work on the same messages; prints one JSON object of microseconds per operation.

usage: xmlsec_bench.py DIR PKI_DIR SECONDS
DIR holds the bench messages (see bench/lib/stages.ts prepareMaterial)."""
import base64, json, os, subprocess, sys, time, uuid, datetime
from lxml import etree
import xmlsec

d, pki, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
NS = {
    'soap': 'http://schemas.xmlsoap.org/soap/envelope/',
    'wsse': 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
    'wsu': 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
    'ds': 'http://www.w3.org/2000/09/xmldsig#',
}
WSU_ID = '{%s}Id' % NS['wsu']

def read(name):
    with open(os.path.join(d, name), 'rb') as f:
        return f.read()

def timeit(fn):
    end = time.perf_counter() + min(0.2, seconds / 4)
    while time.perf_counter() < end:
        fn()
    n = 0
    t0 = time.perf_counter()
    while True:
        fn(); n += 1
        el = time.perf_counter() - t0
        if el >= seconds and n >= 20:
            return el * 1e6 / n

parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)

def parse(b):
    return etree.fromstring(b, parser)

def verify(b, cert_file):
    root = parse(b)
    xmlsec.tree.add_ids(root, ['Id'])
    sig = root.find('.//ds:Signature', NS)
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_file(cert_file, xmlsec.constants.KeyDataFormatCertPem)
    ctx.verify(sig)

key_gw = xmlsec.Key.from_file(os.path.join(pki, 'gateway.TEST-KEY.pem'), xmlsec.constants.KeyDataFormatPem)
# the gateway's key as configured (ECDSA P-256 in the test PKI, RSA in others): the matching method
gw_key_text = subprocess.run(['openssl', 'pkey', '-in', os.path.join(pki, 'gateway.TEST-KEY.pem'), '-noout', '-text'],
                             capture_output=True, text=True, check=True).stdout
GW_SIGN = xmlsec.constants.TransformEcdsaSha256 if 'ASN1 OID' in gw_key_text else xmlsec.constants.TransformRsaSha256
with open(os.path.join(pki, 'gateway.cert.pem')) as f:
    cert_b64 = ''.join(l for l in f.read().splitlines() if not l.startswith('-----'))

def sign(b):
    """WS-Security header (Timestamp, BinarySecurityToken, Signature over Body, Timestamp,
    gw:vorgang) built with lxml, signed by xmlsec (exc-c14n, the gateway key's method), serialized."""
    root = parse(b)
    header = root.find('soap:Header', NS)
    body = root.find('soap:Body', NS)
    ids = []
    body.set(WSU_ID, 'Body-' + uuid.uuid4().hex); ids.append(body.get(WSU_ID))
    for v in header:
        if v.get(WSU_ID):
            ids.append(v.get(WSU_ID))
    sec = etree.SubElement(header, '{%s}Security' % NS['wsse'], nsmap={'wsse': NS['wsse'], 'wsu': NS['wsu']})
    sec.set('{%s}mustUnderstand' % NS['soap'], '1')
    ts = etree.SubElement(sec, '{%s}Timestamp' % NS['wsu'])
    ts.set(WSU_ID, 'TS-' + uuid.uuid4().hex); ids.append(ts.get(WSU_ID))
    now = datetime.datetime.now(datetime.timezone.utc)
    etree.SubElement(ts, '{%s}Created' % NS['wsu']).text = now.isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    etree.SubElement(ts, '{%s}Expires' % NS['wsu']).text = (now + datetime.timedelta(minutes=5)).isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    bst = etree.SubElement(sec, '{%s}BinarySecurityToken' % NS['wsse'])
    bst_id = 'X509-' + uuid.uuid4().hex
    bst.set(WSU_ID, bst_id)
    bst.set('ValueType', 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3')
    bst.set('EncodingType', 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary')
    bst.text = cert_b64
    sig = xmlsec.template.create(root, xmlsec.constants.TransformExclC14N, GW_SIGN, ns='ds')
    sec.append(sig)
    for i in ids:
        ref = xmlsec.template.add_reference(sig, xmlsec.constants.TransformSha256, uri='#' + i)
        xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
    ki = xmlsec.template.ensure_key_info(sig)
    strf = etree.SubElement(ki, '{%s}SecurityTokenReference' % NS['wsse'])
    r = etree.SubElement(strf, '{%s}Reference' % NS['wsse'])
    r.set('URI', '#' + bst_id)
    xmlsec.tree.add_ids(root, ['Id'])
    ctx = xmlsec.SignatureContext()
    ctx.key = key_gw
    ctx.sign(sig)
    return etree.tostring(root)

req = read('req1330-signed.xml')
rep_ec = read('reply1331-signed-ec.xml')
rep_rsa = read('reply1331-signed-rsa.xml')
fwd = read('forward-unsigned.xml')
ans = read('reply1331-unsigned.xml')
big = read('big1330-signed.xml')

# the signatures must check out before anything is timed
verify(req, os.path.join(pki, 'mirror.cert.pem'))
verify(big, os.path.join(pki, 'mirror.cert.pem'))
verify(rep_ec, os.path.join(pki, 'land-09.cert.pem'))
verify(rep_rsa, os.path.join(pki, 'authority-plain.cert.pem'))
signed = sign(fwd)
verify(signed, os.path.join(pki, 'gateway.cert.pem'))

out = {
    'parse 1330 signed env': timeit(lambda: parse(req)),
    'parse 1331 signed env': timeit(lambda: parse(rep_ec)),
    'verify 1330 RSA': timeit(lambda: verify(req, os.path.join(pki, 'mirror.cert.pem'))),
    'verify 1331 P-256': timeit(lambda: verify(rep_ec, os.path.join(pki, 'land-09.cert.pem'))),
    'verify 1331 RSA': timeit(lambda: verify(rep_rsa, os.path.join(pki, 'authority-plain.cert.pem'))),
    'sign 1330 forward': timeit(lambda: sign(fwd)),
    'sign 1331 answer': timeit(lambda: sign(ans)),
    'parse 5 MB signed env': timeit(lambda: parse(big)),
    'verify 5 MB signed env': timeit(lambda: verify(big, os.path.join(pki, 'mirror.cert.pem'))),
    'versions': {'python-xmlsec': getattr(xmlsec, '__version__', '?'), 'libxml2': '.'.join(map(str, etree.LIBXML_VERSION))},
}
print(json.dumps(out))
