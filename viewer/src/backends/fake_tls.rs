//! A fake backend over HTTPS on 127.0.0.1: a CA and a server certificate made at test time
//! (rcgen), served by rustls, answering each request with a [`Handler`].

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::fake::Handler;

/// A certificate authority made for one test.
pub(super) struct Authority {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A server's certificate chain and key.
type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

impl Authority {
    pub fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("self-signed");
        Authority { cert, key }
    }

    /// A certificate for 127.0.0.1 and localhost signed by this authority.
    fn server_identity(&self) -> Identity {
        let names = vec!["127.0.0.1".into(), "localhost".into()];
        let params = CertificateParams::new(names).expect("params");
        let key = KeyPair::generate().expect("key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("signed");
        let key = PrivatePkcs8KeyDer::from(key.serialize_der()).into();
        (vec![cert.der().clone()], key)
    }

    /// The CA certificate as a PEM file.
    pub fn pem_file(&self, name: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("spindle-viewer-{}-{name}.pem", std::process::id()));
        std::fs::write(&path, self.cert.pem()).expect("write the CA file");
        path
    }
}

/// An HTTPS server answering with a handler; stops when dropped.
pub(super) struct TlsFake {
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TlsFake {
    /// Serves `handler` with a certificate `authority` signed.
    pub fn start(authority: &Authority, handler: Handler) -> TlsFake {
        let (chain, key) = authority.server_identity();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("certificate");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, Arc::clone(&config), &handler),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        TlsFake {
            url: format!("https://127.0.0.1:{port}"),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for TlsFake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves one connection's GET requests until it closes or fails.
fn serve(stream: TcpStream, config: Arc<rustls::ServerConfig>, handler: &Handler) {
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
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line.trim_end().is_empty() {
                break;
            }
        }
        let (status, body) = handler(&url);
        let stream = reader.get_mut();
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n",
            body.len()
        );
        let sent = stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&body))
            .and_then(|()| stream.flush());
        if sent.is_err() {
            return;
        }
    }
}
