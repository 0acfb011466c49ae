//! Backends over HTTPS: a private CA trusted through `--backend-ca` (never by turning
//! verification off), a certificate no trusted CA signed said in plain words with the host,
//! and a CA file that cannot be used said with its path.

use std::time::Duration;

use super::fake::{ID, golden};
use super::fake_jaeger::jaeger_v2;
use super::fake_tls::{Authority, TlsFake};
use super::search::Query;
use super::{Backend, BackendError, Connection, Target};

fn jaeger_data() -> spindle_formats::TraceData {
    let bytes = golden("jaeger-v3.json");
    spindle_formats::read(&bytes, "golden", Default::default())
        .expect("golden")
        .data
}

fn target(url: &str, ca_file: Option<std::path::PathBuf>) -> Target {
    Target {
        url: url.to_string(),
        ca_file,
        ..Target::default()
    }
}

#[test]
fn https_with_a_private_ca_trusted_probes_opens_and_searches() {
    let authority = Authority::new("spindle viewer test CA");
    let fake = TlsFake::start(&authority, jaeger_v2(jaeger_data()));
    let ca = authority.pem_file("trusted");
    let connection = Connection::connect(&target(&fake.url, Some(ca.clone()))).expect("connect");
    assert_eq!(connection.backend, Backend::Jaeger);
    let fetched = connection.open_trace(ID).expect("open");
    assert_eq!(fetched.url, format!("{}/api/v3/traces/{ID}", fake.url));
    assert_eq!(fetched.data.spans.len(), 3);
    let found = connection
        .search(&Query {
            service: "frontend".into(),
            start_unix_nanos: Some(1_699_999_000_000_000_000),
            end_unix_nanos: Some(1_700_001_000_000_000_000),
            min_duration: Some(Duration::from_millis(100)),
            ..Query::default()
        })
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, ID);
    assert_eq!(found[0].span_count, Some(3));
    let _ = std::fs::remove_file(ca);
}

#[test]
fn a_certificate_no_trusted_ca_signed_is_said_with_the_host() {
    let trusted = Authority::new("the CA the viewer trusts");
    let other = Authority::new("some other CA");
    let fake = TlsFake::start(&other, jaeger_v2(jaeger_data()));
    let ca = trusted.pem_file("other");
    let host = fake.url.trim_start_matches("https://").to_string();
    // The built-in roots do not know a CA made by this test either.
    for ca_file in [Some(ca.clone()), None] {
        let error = Connection::connect(&target(&fake.url, ca_file)).expect_err("untrusted");
        assert!(matches!(error, BackendError::Untrusted { .. }), "{error:?}");
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("the HTTPS certificate of {host} is not trusted")),
            "{text}"
        );
        assert!(
            text.contains("--backend-ca FILE"),
            "says what to do: {text}"
        );
    }
    let _ = std::fs::remove_file(ca);
}

#[test]
fn a_ca_file_that_cannot_be_used_is_said_with_its_path() {
    let missing = target(
        "https://127.0.0.1:9",
        Some("/nonexistent/spindle-ca.pem".into()),
    );
    let error = Connection::connect(&missing).expect_err("no file");
    assert!(
        error
            .to_string()
            .starts_with("the CA file /nonexistent/spindle-ca.pem cannot be used: "),
        "{error}"
    );
    let path = std::env::temp_dir().join(format!("spindle-viewer-{}-not.pem", std::process::id()));
    std::fs::write(&path, "not a certificate\n").expect("write");
    let error = Connection::connect(&target("https://127.0.0.1:9", Some(path.clone())))
        .expect_err("no certificate");
    assert!(error.to_string().contains("no PEM certificate"), "{error}");
    let _ = std::fs::remove_file(path);
}
