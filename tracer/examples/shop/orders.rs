//! The orders service: a customer's orders from the cache or the database, then each order's
//! lines one query at a time (the N+1), then an event on the queue for the worker.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

use crate::http::{Client, Endpoint, Incoming, Reply};
use crate::queue;
use crate::service::{Name, Options, Service};
use crate::store::{Cache, Database, DbError, Order};

pub struct Orders {
    database: Database,
    cache: Cache,
    client: Client,
    broker: String,
    messages: AtomicU64,
}

impl Orders {
    pub fn new(options: &Options) -> Result<Orders, String> {
        Ok(Orders {
            database: Database,
            cache: Cache::default(),
            client: Client::new(),
            broker: options.peer(Name::Worker)?,
            messages: AtomicU64::new(0),
        })
    }

    fn customer_orders(&self, _request: &Incoming, segments: &[&str]) -> Reply {
        let Some(customer) = segments.first().and_then(|id| id.parse::<i64>().ok()) else {
            return Reply::new(400, "the customer id is not a number");
        };
        match self.list_orders(customer) {
            Ok(orders) => {
                let id = self.messages.fetch_add(1, Ordering::Relaxed) + 1;
                let event = json!({"event": "orders.viewed", "customer": customer});
                if let Err(e) = queue::publish(&self.client, &self.broker, format!("m-{id}"), event)
                {
                    eprintln!("shop orders: publishing failed: {e}");
                }
                Reply::new(200, orders_json(&orders))
            }
            Err(e) => Reply::new(500, e.to_string()),
        }
    }

    /// The orders with their lines.
    #[spindle::trace(name = "list orders", attrs("app.customer.id" = customer), record_errors)]
    fn list_orders(&self, customer: i64) -> Result<Vec<Order>, DbError> {
        let key = format!("customer:{customer}:orders");
        let mut orders = match self.cache.get(&key) {
            Some(orders) => orders,
            None => {
                let orders = self.database.orders_of(customer)?;
                self.cache.set(&key, &orders);
                orders
            }
        };
        // One query per order: what a single `WHERE order_id IN (...)` would do at once.
        for order in &mut orders {
            order.items = self.database.items_of(order.id)?;
        }
        Ok(orders)
    }
}

impl Service for Orders {
    fn endpoints(&self) -> Vec<Endpoint<'_>> {
        vec![Endpoint {
            method: "GET",
            route: "/customers/{id}/orders",
            traced: true,
            handler: Box::new(|request, segments| self.customer_orders(request, segments)),
        }]
    }
}

fn orders_json(orders: &[Order]) -> String {
    let orders: Vec<_> = orders
        .iter()
        .map(|order| {
            let items: Vec<_> = order
                .items
                .iter()
                .map(|item| json!({"sku": item.sku, "quantity": item.quantity}))
                .collect();
            json!({"id": order.id, "total_cents": order.total_cents, "items": items})
        })
        .collect();
    json!({ "orders": orders }).to_string()
}
