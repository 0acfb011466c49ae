//! The gateway: the public `GET /api/customers/{id}/orders`. It asks auth whether the caller
//! may, then orders for the orders, and renders the page; a failure behind it is a 502.

use std::time::Duration;

use crate::http::{Client, Endpoint, Incoming, Reply};
use crate::service::{Name, Options, Service};

pub struct Gateway {
    client: Client,
    auth: String,
    orders: String,
}

impl Gateway {
    pub fn new(options: &Options) -> Result<Gateway, String> {
        Ok(Gateway {
            client: Client::new(),
            auth: options.peer(Name::Auth)?,
            orders: options.peer(Name::Orders)?,
        })
    }

    fn customer_orders(&self, request: &Incoming, segments: &[&str]) -> Reply {
        let authorization = request.header("Authorization").unwrap_or_default();
        let headers = [("Authorization", authorization)];
        let verified = self
            .client
            .call("POST", &self.auth, "/verify", "/verify", &headers, None);
        match verified {
            Ok(answer) if answer.status == 200 => {}
            Ok(_) => return Reply::new(401, "not allowed"),
            Err(e) => return Reply::new(502, format!("auth unreachable: {e}")),
        }
        let customer = segments.first().copied().unwrap_or_default();
        let path = format!("/customers/{customer}/orders");
        let route = "/customers/{id}/orders";
        match self
            .client
            .call("GET", &self.orders, route, &path, &[], None)
        {
            Ok(answer) if answer.status == 200 => Reply::new(200, render_page(&answer.body)),
            Ok(answer) if answer.status >= 500 => Reply::new(
                502,
                format!("orders answered {}: {}", answer.status, answer.body),
            ),
            Ok(answer) => Reply::new(answer.status, answer.body),
            Err(e) => Reply::new(502, format!("orders unreachable: {e}")),
        }
    }
}

impl Service for Gateway {
    fn endpoints(&self) -> Vec<Endpoint<'_>> {
        vec![Endpoint {
            method: "GET",
            route: "/api/customers/{id}/orders",
            traced: true,
            handler: Box::new(|request, segments| self.customer_orders(request, segments)),
        }]
    }
}

#[spindle::trace(name = "render page", attrs("app.body.bytes" = body.len() as i64))]
fn render_page(body: &str) -> String {
    std::thread::sleep(Duration::from_millis(1));
    format!("<html><body><pre>{body}</pre></body></html>")
}
