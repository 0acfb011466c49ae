//! OTLP over HTTPS against a local rustls server whose certificates are made at test time: a
//! CA trusted through the exporter's configuration (never by turning verification off), and
//! a server whose certificate that CA did not sign, refused with an error naming the endpoint.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use spindle::{ExportContext, ExportError, HttpError, OtlpHttpExporter, RetryPolicy, SpanExporter};
use spindle_formats::{ReadOptions, Span, SpanId, TraceData, TraceId, otlp_proto};
use support::{Received, record};

/// A certificate authority made for one test.
struct Authority {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Authority { cert, key }
    }

    /// A server certificate for 127.0.0.1 and localhost, signed by this authority.
    fn server_identity(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        let chain = vec![cert.der().clone()];
        let key = PrivatePkcs8KeyDer::from(key.serialize_der()).into();
        (chain, key)
    }

    /// Writes the CA certificate as a PEM file and returns its path.
    fn pem_file(&self, name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("spindle-{}-{name}.pem", std::process::id()));
        std::fs::write(&path, self.cert.pem()).unwrap();
        path
    }
}

/// An HTTPS OTLP receiver on 127.0.0.1 answering 200 to every request; stops when dropped.
struct TlsReceiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TlsReceiver {
    fn start(identity: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)) -> TlsReceiver {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(identity.0, identity.1)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, config.clone(), &log),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        TlsReceiver {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/v1/traces", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for TlsReceiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves one connection's requests (HTTP/1.1 with Content-Length) until it closes or fails.
fn serve(stream: TcpStream, config: Arc<rustls::ServerConfig>, log: &Mutex<Vec<Received>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut reader = BufReader::new(rustls::StreamOwned::new(connection, stream));
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let url = request_line.split(' ').nth(1).unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_string(), value.trim().to_string()));
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        log.lock().unwrap().push(record(&url, headers, body));
        let stream = reader.get_mut();
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        if stream
            .write_all(answer)
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

fn spans(count: u64) -> TraceData {
    TraceData {
        resources: vec![Default::default()],
        scopes: vec![Default::default()],
        spans: (1..=count)
            .map(|i| Span {
                trace_id: TraceId(7),
                span_id: SpanId(i),
                name: format!("span {i}").into(),
                start_unix_nanos: 1_700_000_000_000_000_000,
                end_unix_nanos: 1_700_000_000_000_000_000 + i,
                ..Span::default()
            })
            .collect(),
    }
}

fn export(
    mut otlp: OtlpHttpExporter,
    data: &TraceData,
) -> (Result<(), ExportError>, ExportContext) {
    let context = ExportContext::new(Duration::from_secs(10));
    otlp.attach(context.clone());
    (otlp.export(data.into()), context)
}

#[test]
fn https_with_a_ca_trusted_through_the_exporters_configuration_delivers_every_span() {
    let authority = Authority::new("spindle test CA");
    let receiver = TlsReceiver::start(authority.server_identity());
    let ca_file = authority.pem_file("trusted-ca");
    let data = spans(5);

    let in_code = OtlpHttpExporter::with_url(receiver.url()).certificate_file(&ca_file);
    let (result, _) = export(in_code, &data);
    assert_eq!(result, Ok(()));

    let ca = ca_file.to_str().unwrap();
    let url = receiver.url();
    let vars = [
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", url.as_str()),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
    ];
    let env = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let (from_env, warnings) = OtlpHttpExporter::from_env_vars(env);
    assert!(warnings.is_empty(), "{warnings:?}");
    let (result, _) = export(from_env, &data);
    assert_eq!(result, Ok(()));

    let received = receiver.received();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(request.url, "/v1/traces");
        assert_eq!(
            request.header("Content-Type"),
            Some("application/x-protobuf")
        );
        let loaded = otlp_proto::read(&request.body, "https", ReadOptions { strict: true });
        assert_eq!(loaded.unwrap().data, data);
    }
    assert_eq!(received[1].header("Content-Encoding"), Some("gzip"));
    let _ = std::fs::remove_file(ca_file);
}

#[test]
fn a_certificate_from_an_untrusted_ca_fails_at_once_naming_the_endpoint() {
    let trusted = Authority::new("the CA the exporter trusts");
    let other = Authority::new("some other CA");
    let receiver = TlsReceiver::start(other.server_identity());
    let ca_file = trusted.pem_file("other-ca");
    let retries = RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_millis(200),
    };
    for otlp in [
        OtlpHttpExporter::with_url(receiver.url()).certificate_file(&ca_file),
        // The built-in roots do not know a CA made by this test either.
        OtlpHttpExporter::with_url(receiver.url()),
    ] {
        let started = Instant::now();
        let (result, context) = export(otlp.retry_policy(retries), &spans(2));
        let error = result.expect_err("an untrusted certificate must fail");
        let text = error.to_string();
        assert!(text.starts_with(&receiver.url()), "{text}");
        assert!(text.contains("not trusted"), "{text}");
        assert!(text.contains("certificate_file"), "says what to do: {text}");
        assert!(
            matches!(error, ExportError::Http(HttpError::Invalid { .. })),
            "{error:?}"
        );
        assert_eq!(context.retries(), 0, "another attempt cannot help");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    assert!(receiver.received().is_empty(), "nothing sent in the clear");
    let _ = std::fs::remove_file(ca_file);
}

#[test]
fn an_unreadable_certificate_file_fails_every_export_naming_the_file() {
    let otlp = OtlpHttpExporter::with_url("https://127.0.0.1:9/v1/traces")
        .certificate_file("/nonexistent/spindle-ca.pem");
    let (result, context) = export(otlp, &spans(1));
    let text = result.expect_err("no roots, no export").to_string();
    assert!(text.contains("/nonexistent/spindle-ca.pem"), "{text}");
    assert_eq!(context.retries(), 0);
}
