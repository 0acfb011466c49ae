//! The Zipkin span fields that stand for attributes: the endpoints (`peer.service`,
//! `network.peer.*`, `network.local.*`) and the `debug` / `shared` flags.

use std::net::IpAddr;

use super::{DEBUG, LOCAL_ADDRESS, LOCAL_PORT, PEER_ADDRESS, PEER_PORT, PEER_SERVICE, SHARED};
use crate::json_out;
use crate::model::{KeyValue, Span, Value};

/// The span attributes that become span fields, found in one pass (the last one wins, as
/// `Span::attribute` finds them).
#[derive(Default)]
pub(super) struct Fields<'a> {
    debug: Option<&'a Value>,
    shared: Option<&'a Value>,
    peer_service: Option<&'a Value>,
    peer_address: Option<&'a Value>,
    peer_port: Option<&'a Value>,
    local_address: Option<&'a Value>,
    local_port: Option<&'a Value>,
}

impl<'a> Fields<'a> {
    pub(super) fn of(span: &'a Span) -> Self {
        let mut fields = Fields::default();
        for kv in &span.attributes {
            let slot = match kv.key.as_ref() {
                DEBUG => &mut fields.debug,
                SHARED => &mut fields.shared,
                PEER_SERVICE => &mut fields.peer_service,
                PEER_ADDRESS => &mut fields.peer_address,
                PEER_PORT => &mut fields.peer_port,
                LOCAL_ADDRESS => &mut fields.local_address,
                LOCAL_PORT => &mut fields.local_port,
                _ => continue,
            };
            *slot = Some(&kv.value);
        }
        fields
    }
}

/// Appends `"debug"` and `"shared"` when their attributes are booleans.
pub(super) fn flags(out: &mut Vec<u8>, fields: &Fields<'_>) {
    let flags: [(&[u8], _); 2] = [
        (br#","debug":"#, fields.debug),
        (br#","shared":"#, fields.shared),
    ];
    for (field, value) in flags {
        if let Some(Value::Bool(flag)) = value {
            out.extend_from_slice(field);
            out.extend_from_slice(if *flag { b"true" } else { b"false" });
        }
    }
}

/// Appends `"localEndpoint"` unless it would be empty. `service_name` is the rendered
/// `"serviceName":…` entry, or empty.
pub(super) fn local_endpoint(out: &mut Vec<u8>, service_name: &[u8], fields: &Fields<'_>) {
    let mark = out.len();
    out.extend_from_slice(br#","localEndpoint":{"#);
    out.extend_from_slice(service_name);
    let written = !service_name.is_empty();
    close_endpoint(out, mark, written, fields.local_address, fields.local_port);
}

/// Appends `"remoteEndpoint"` unless it would be empty.
pub(super) fn remote_endpoint(out: &mut Vec<u8>, fields: &Fields<'_>) {
    let mark = out.len();
    out.extend_from_slice(br#","remoteEndpoint":{"#);
    let service = fields.peer_service.and_then(Value::as_str);
    if let Some(name) = service {
        out.extend_from_slice(br#""serviceName":"#);
        json_out::string(out, name);
    }
    close_endpoint(
        out,
        mark,
        service.is_some(),
        fields.peer_address,
        fields.peer_port,
    );
}

/// Appends an endpoint's address and port and closes it, or takes the endpoint back out (to
/// `mark`) when nothing was written.
fn close_endpoint(
    out: &mut Vec<u8>,
    mark: usize,
    mut written: bool,
    address: Option<&Value>,
    port: Option<&Value>,
) {
    if let Some((field, text)) = ip_address(address) {
        comma_unless_first(out, &mut written);
        out.extend_from_slice(field);
        json_out::string(out, text);
    }
    if let Some(port) = port.and_then(valid_port) {
        comma_unless_first(out, &mut written);
        out.extend_from_slice(br#""port":"#);
        json_out::i64(out, port);
    }
    if written {
        out.push(b'}');
    } else {
        out.truncate(mark);
    }
}

/// Pushes `,` if something was written already, and notes that something now is.
pub(super) fn comma_unless_first(out: &mut Vec<u8>, written: &mut bool) {
    if *written {
        out.push(b',');
    }
    *written = true;
}

/// The `"ipv4":` or `"ipv6":` field name and the address, for text that is an IP address.
fn ip_address(value: Option<&Value>) -> Option<(&'static [u8], &str)> {
    let text = value?.as_str()?;
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V4(_) => Some((br#""ipv4":"#, text)),
        IpAddr::V6(_) => Some((br#""ipv6":"#, text)),
    }
}

pub(super) fn valid_port(value: &Value) -> Option<i64> {
    match value {
        Value::I64(port) if (1..=65535).contains(port) => Some(*port),
        _ => None,
    }
}

/// True for an attribute written as an endpoint or span field rather than as a tag.
pub(super) fn is_field_attribute(kv: &KeyValue) -> bool {
    match (kv.key.as_ref(), &kv.value) {
        (PEER_SERVICE, Value::Str(_)) | (DEBUG | SHARED, Value::Bool(_)) => true,
        (PEER_ADDRESS | LOCAL_ADDRESS, Value::Str(text)) => text.parse::<IpAddr>().is_ok(),
        (PEER_PORT | LOCAL_PORT, value) => valid_port(value).is_some(),
        _ => false,
    }
}
