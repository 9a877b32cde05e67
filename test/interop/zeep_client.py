"""A zeep client with WS-Security BinarySignature (libxmlsec1) calling the gateway.

Loads the gateway's WSDL, signs the query with zeep's own BinarySignature (RSA-SHA256,
SHA-256, exclusive c14n over Body and Timestamp), posts it to the address the WSDL names,
and lets zeep verify the signed answer with the gateway's certificate and parse it by the
WSDL's types. Prints one JSON line: the outcome as zeep read it.

Usage: zeep_client.py WSDL_URL KEY CERT GATEWAY_CERT MESSAGE_FILE OPERATION
"""
import datetime
import json
import sys

import xmlsec
from lxml import etree
from zeep import Client
from zeep.wsse.signature import BinarySignature, _make_verify_key, _read_file, _verify_envelope_with_key
from zeep.wsse.utils import WSU, get_security_header, get_timestamp

wsdl, key, cert, gateway_cert, message_file, operation_name = sys.argv[1:7]


class GatewaySignature(BinarySignature):
    """Signs like BinarySignature; verifies answers with the gateway's certificate."""

    def verify(self, envelope):
        _verify_envelope_with_key(envelope, _make_verify_key(_read_file(gateway_cert)))
        return envelope


signature = GatewaySignature(
    key, cert, signature_method=xmlsec.Transform.RSA_SHA256, digest_method=xmlsec.Transform.SHA256
)
client = Client(wsdl, wsse=signature)
service = next(iter(client.wsdl.services.values()))
port = next(p for p in service.ports.values() if p.binding.__class__.__name__ == "Soap11Binding")
binding = port.binding
operation = binding.get(operation_name)

soap = "http://schemas.xmlsoap.org/soap/envelope/"
envelope = etree.Element(etree.QName(soap, "Envelope"), nsmap={"soap": soap})
etree.SubElement(envelope, etree.QName(soap, "Header"))
body = etree.SubElement(envelope, etree.QName(soap, "Body"))
body.append(etree.parse(message_file).getroot())
# The profile requires a signed wsu:Timestamp; zeep signs one when the header has it.
now = datetime.datetime.now(datetime.timezone.utc)
get_security_header(envelope).append(WSU.Timestamp(
    WSU.Created(get_timestamp(now)), WSU.Expires(get_timestamp(now + datetime.timedelta(minutes=5)))
))
envelope, headers = signature.apply(envelope, {"SOAPAction": '"%s"' % operation.soapaction, "Content-Type": "text/xml; charset=utf-8"})

response = client.transport.post_xml(port.binding_options["address"], envelope, headers)
result = {"status": response.status_code}
try:
    answer = binding.process_reply(client, operation, response)
    result["verified"] = True
    data = answer if not hasattr(answer, "body") else answer.body
    doc = etree.fromstring(response.content)
    ns = {"x": "http://www.osci.de/xmeld2511a"}
    codes = doc.xpath("//x:antwortSuchanfrage/x:auskunft/x:ergebnisstatus/code/text()", namespaces=ns)
    result["ergebnisstatus"] = codes[0] if codes else None
    result["rueckweisung"] = doc.xpath("//x:antwortSuchanfrage/x:rueckweisung/x:grundDerRueckweisung/code/text()", namespaces=ns)
    result["parsed"] = type(data).__name__
except Exception as e:  # a failed verification or parse is the test's finding, reported as such
    result["verified"] = False
    result["error"] = type(e).__name__ + ": " + str(e)[:300]
print(json.dumps(result))
