//! The builder methods every HTTP sink offers, written once.

/// The builder methods both HTTP sinks offer (each has a `sender: HttpSender` field).
macro_rules! http_options {
    () => {
        /// Adds a header to every request (e.g. `Authorization`); replaces one of the same name.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.sender.settings.set_header(name.into(), value.into());
            self
        }

        /// Compresses request bodies with gzip (`Content-Encoding: gzip`).
        pub fn gzip(mut self, enabled: bool) -> Self {
            self.sender.settings.gzip = enabled;
            self
        }

        /// The longest one export may take, retries included (default and upper bound: the
        /// pipeline's export timeout).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.sender.settings.timeout = Some(timeout);
            self
        }

        /// The byte cap of one request body before compression (default 4 MiB). Larger
        /// batches are split; a span larger on its own is dropped and counted.
        pub fn max_request_bytes(mut self, bytes: usize) -> Self {
            self.sender.settings.max_request_bytes = Some(bytes);
            self
        }

        /// How often and how patiently to retry retryable failures.
        pub fn retry_policy(mut self, policy: crate::sink::RetryPolicy) -> Self {
            self.sender.settings.retry = policy;
            self
        }

        /// Trusts the certificates of this PEM file for HTTPS, instead of the built-in
        /// (Mozilla) roots: a private CA, or a self-signed receiver's own certificate. The
        /// server's certificate is always verified; if the file cannot be read, every export
        /// fails with an error naming it.
        pub fn certificate_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
            self.sender.settings.ca_file = Some(path.into());
            self
        }

        /// The URL requests are posted to.
        pub fn url(&self) -> &str {
            &self.sender.settings.url
        }
    };
}
pub(crate) use http_options;
