//! The certificates an HTTP sink trusts: the built-in Mozilla roots unless a PEM file is
//! configured (`OTEL_EXPORTER_OTLP_CERTIFICATE`), whose certificates then replace them.
//! Verification is never turned off.

use std::path::Path;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// The TLS settings for a sink trusting `ca_file` (or the built-in roots for `None`). The
/// error names the file and what is wrong with it.
pub(crate) fn tls_config(ca_file: Option<&Path>) -> Result<TlsConfig, String> {
    let builder = TlsConfig::builder();
    let Some(path) = ca_file else {
        return Ok(builder.build());
    };
    let certs = read_certificates(path)?;
    Ok(builder
        .root_certs(RootCerts::new_with_certs(&certs))
        .build())
}

/// Every certificate of a PEM file (private keys and other sections are skipped).
fn read_certificates(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("certificate file {shown}: {e}"))?;
    let mut certs = Vec::new();
    for (index, item) in ureq::tls::parse_pem(&pem).enumerate() {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "certificate file {shown}: PEM section {index} is invalid: {e}"
                ));
            }
        }
    }
    if certs.is_empty() {
        return Err(format!(
            "certificate file {shown}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("spindle-tls-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("writes a temporary file");
        path
    }

    #[test]
    fn files_without_certificates_are_refused_naming_the_file() {
        let missing = Path::new("/nonexistent/ca.pem");
        let error = tls_config(Some(missing)).expect_err("missing file");
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
        let empty = temp_file("empty.pem", "not a certificate\n");
        let error = tls_config(Some(&empty)).expect_err("no certificate");
        assert!(
            error.contains(&empty.display().to_string()) && error.contains("no PEM certificate"),
            "{error}"
        );
        let broken = temp_file(
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n",
        );
        let error = tls_config(Some(&broken)).expect_err("broken base64");
        assert!(error.contains("invalid"), "{error}");
        let _ = std::fs::remove_file(empty);
        let _ = std::fs::remove_file(broken);
        assert!(tls_config(None).is_ok(), "the built-in roots");
    }
}
