//! `--backend URL [--backend-kind jaeger|tempo|zipkin] [--backend-ca FILE] [--trace ID]` on
//! the viewer's command line (`--backend-ca`: a PEM file of the private CA an HTTPS backend's
//! certificate is signed by); the auth header comes from the `SPINDLE_BACKEND_AUTH` environment variable
//! (`bearer TOKEN` or `basic USER:PASSWORD`), so no secret shows in the process list.

use super::{Auth, Backend, Target};

/// The environment variable holding the auth header.
pub const AUTH_ENV: &str = "SPINDLE_BACKEND_AUTH";

/// What the command line asked of a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendArgs {
    /// Where to connect.
    pub target: Target,
    /// The trace to open at start, if any.
    pub trace: Option<String>,
}

/// Takes the backend options out of `args` (the rest is returned in order); `auth` is the
/// value of [`AUTH_ENV`], if set. `None` when `--backend` is not given.
pub fn from_args(
    args: Vec<String>,
    auth: Option<String>,
) -> Result<(Option<BackendArgs>, Vec<String>), String> {
    let (mut url, mut kind, mut trace, mut ca, mut rest) = (None, None, None, None, Vec::new());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--backend" => &mut url,
            "--backend-kind" => &mut kind,
            "--trace" => &mut trace,
            "--backend-ca" => &mut ca,
            _ => {
                rest.push(arg);
                continue;
            }
        };
        *slot = Some(args.next().ok_or_else(|| format!("{arg} needs a value"))?);
    }
    let Some(url) = url else {
        return match (kind, trace, ca) {
            (None, None, None) => Ok((None, rest)),
            _ => Err("--trace, --backend-kind and --backend-ca need --backend URL".into()),
        };
    };
    let kind =
        match kind {
            Some(name) => Some(Backend::parse(&name).ok_or_else(|| {
                format!("--backend-kind {name}: expected jaeger, tempo or zipkin")
            })?),
            None => None,
        };
    let auth = match auth.filter(|a| !a.trim().is_empty()) {
        Some(text) => Some(Auth::parse(&text).ok_or_else(|| {
            format!("{AUTH_ENV}: expected \"bearer TOKEN\" or \"basic USER:PASSWORD\"")
        })?),
        None => None,
    };
    let target = Target {
        url,
        kind,
        auth,
        ca_file: ca.map(std::path::PathBuf::from),
    };
    Ok((Some(BackendArgs { target, trace }), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn backend_options_are_taken_and_the_rest_kept() {
        let (backend, rest) = from_args(
            args("--listen 127.0.0.1:1 --backend https://h:3200 --backend-ca ca.pem --trace abc a.json"),
            Some("bearer t".into()),
        )
        .expect("parsed");
        assert_eq!(rest, args("--listen 127.0.0.1:1 a.json"));
        let backend = backend.expect("asked");
        assert_eq!(backend.target.url, "https://h:3200");
        assert_eq!(backend.target.ca_file, Some("ca.pem".into()));
        assert_eq!(backend.trace.as_deref(), Some("abc"));
        assert_eq!(backend.target.auth, Some(Auth::Bearer("t".into())));
        assert_eq!(backend.target.kind, None);
    }

    #[test]
    fn bad_options_are_said() {
        let error = |a: &str, auth: Option<&str>| {
            from_args(args(a), auth.map(str::to_string)).expect_err("refused")
        };
        assert_eq!(
            error("--trace abc", None),
            "--trace, --backend-kind and --backend-ca need --backend URL"
        );
        assert_eq!(
            error("--backend-ca ca.pem", None),
            "--trace, --backend-kind and --backend-ca need --backend URL"
        );
        assert_eq!(error("--backend", None), "--backend needs a value");
        assert!(error("--backend http://h --backend-kind elastic", None).contains("elastic"));
        assert!(error("--backend http://h", Some("token x")).starts_with(AUTH_ENV));
        let kind = from_args(args("--backend http://h --backend-kind Zipkin"), None);
        assert_eq!(
            kind.ok().and_then(|(b, _)| b).and_then(|b| b.target.kind),
            Some(Backend::Zipkin)
        );
    }
}
