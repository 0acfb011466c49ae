"""Writes otlp-python.binpb: an OTLP/HTTP protobuf request body as the OpenTelemetry Python
SDK's protobuf exporter sends it (opentelemetry-exporter-otlp-proto-http serialises
`encode_spans(spans)` with `SerializePartialToString()`; this script calls the same encoder).

    python3 -m venv /tmp/otel && /tmp/otel/bin/pip install \
        opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
    /tmp/otel/bin/python formats/tests/data/make_otlp_python_golden.py formats/tests/data/otlp-python.binpb

Ids and times are fixed so the output is the same on every run (for a given SDK version).
The spans: a SERVER root with a CLIENT child, which has an INTERNAL grandchild that fails
(error status, an exception event); a PRODUCER and a CONSUMER span in a second trace, the
consumer linked to the producer and with a remote parent. Attributes of every type the API
allows (str, bool, int, float and a sequence of each) on spans, events, links, the resource
and the scope.
"""

import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.span import TraceState

T0 = 1_700_000_000_000_000_000
MS = 1_000_000

EVERY_TYPE = {
    "str": "text with ünïcode",
    "bool": True,
    "int": -42,
    "float": 2.5,
    "str_list": ["a", "b"],
    "bool_list": [True, False],
    "int_list": [1, -2, 3],
    "float_list": [0.5, -1.25],
}


class FixedIds(IdGenerator):
    """Span ids 1, 2, 3, ... and trace ids 0x...a1, 0x...a2, ... in order of use."""

    def __init__(self):
        self.spans = 0
        self.traces = 0

    def generate_span_id(self):
        self.spans += 1
        return 0x1000_0000_0000_0000 + self.spans

    def generate_trace_id(self):
        self.traces += 1
        return 0x4BF9_2F35_77B3_4DA6_A3CE_929D_0E0E_4700 + self.traces


def record():
    resource = Resource(
        {"service.name": "checkout", "service.version": "1.2.3", **EVERY_TYPE},
        schema_url="https://opentelemetry.io/schemas/1.21.0",
    )
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=resource, id_generator=FixedIds())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer(
        "golden.scope", "0.9.0", attributes={"scope.str": "s", "scope.int": 7}
    )

    root = tracer.start_span("GET /cart", kind=SpanKind.SERVER, start_time=T0, attributes=EVERY_TYPE)
    root.set_status(Status(StatusCode.OK))
    root.add_event("request.received", {"size": 512, "path": "/cart"}, timestamp=T0 + 1 * MS)
    root_context = trace.set_span_in_context(root)
    child = tracer.start_span("SELECT cart", context=root_context, kind=SpanKind.CLIENT, start_time=T0 + 2 * MS)
    child.set_attribute("db.system", "postgresql")
    child_context = trace.set_span_in_context(child)
    leaf = tracer.start_span("parse rows", context=child_context, start_time=T0 + 3 * MS)
    leaf.record_exception(ValueError("bad row 7"), timestamp=T0 + 4 * MS, escaped=False)
    leaf.set_status(Status(StatusCode.ERROR, "bad row 7"))
    leaf.end(end_time=T0 + 5 * MS)
    child.end(end_time=T0 + 6 * MS)
    root.end(end_time=T0 + 10 * MS)

    producer = tracer.start_span("publish orders", kind=SpanKind.PRODUCER, start_time=T0 + 20 * MS)
    producer.end(end_time=T0 + 21 * MS)
    remote = SpanContext(
        trace_id=0x0AF7_6519_16CD_43DD_8448_EB21_1C80_319C,
        span_id=0x00F0_67AA_0BA9_02B7,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
        trace_state=TraceState([("vendor", "1")]),
    )
    link = Link(producer.get_span_context(), attributes={"link.str": "from producer", "link.int": 1})
    consumer = tracer.start_span(
        "process orders",
        context=trace.set_span_in_context(trace.NonRecordingSpan(remote)),
        kind=SpanKind.CONSUMER,
        links=[link],
        start_time=T0 + 30 * MS,
    )
    consumer.end(end_time=T0 + 35 * MS)
    provider.shutdown()
    return exporter.get_finished_spans()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "otlp-python.binpb"
    body = encode_spans(record()).SerializePartialToString()
    with open(out, "wb") as f:
        f.write(body)
    print(f"wrote {len(body)} bytes to {out}")


if __name__ == "__main__":
    main()
