//! The auth service: checks a bearer token and loads the caller's permissions.

use std::time::Duration;

use crate::http::{Endpoint, Incoming, Reply};
use crate::service::Service;

pub struct Auth;

impl Auth {
    fn verify(&self, request: &Incoming) -> Reply {
        let token = request
            .header("Authorization")
            .and_then(|value| value.strip_prefix("Bearer "));
        match token {
            Some(token) if check_signature(token) => {
                let scopes = load_permissions(token);
                Reply::new(200, format!("{{\"scopes\":\"{scopes}\"}}"))
            }
            _ => Reply::new(401, "missing or invalid token"),
        }
    }
}

impl Service for Auth {
    fn endpoints(&self) -> Vec<Endpoint<'_>> {
        vec![Endpoint {
            method: "POST",
            route: "/verify",
            traced: true,
            handler: Box::new(|request, _| self.verify(request)),
        }]
    }
}

#[spindle::trace(name = "check token signature")]
fn check_signature(token: &str) -> bool {
    std::thread::sleep(Duration::from_millis(2));
    token.starts_with("demo-")
}

#[spindle::trace(name = "load permissions")]
fn load_permissions(token: &str) -> &'static str {
    std::thread::sleep(Duration::from_millis(1));
    match token.ends_with("-admin") {
        true => "orders:read orders:write",
        false => "orders:read",
    }
}
