//! The orders service's storage, faked in process: a PostgreSQL-like database and a
//! Redis-like cache. Each call is a client span named and described by OpenTelemetry's
//! database conventions (`db.system.name`, `db.query.text`, ...) and takes a few
//! milliseconds, as a call over the network would.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use spindle::{Span, SpanKind};

/// An order and its lines.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    pub total_cents: i64,
    pub items: Vec<Item>,
}

/// One line of an order.
#[derive(Debug, Clone)]
pub struct Item {
    pub sku: String,
    pub quantity: i64,
}

/// A query the database gave up on.
#[derive(Debug)]
pub struct DbError(String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

/// The order whose lines take longer than the statement timeout (the demo's failing request:
/// customer 7's sixth order).
pub const SLOW_ORDER: i64 = 7006;

/// The fake database.
pub struct Database;

impl Database {
    /// The customer's orders, without their lines.
    pub fn orders_of(&self, customer: i64) -> Result<Vec<Order>, DbError> {
        let text = "SELECT id, total_cents FROM orders WHERE customer_id = $1";
        let query = Query::new("SELECT", "orders", text);
        let orders: Vec<Order> = (1..=6)
            .map(|n| Order {
                id: customer * 1000 + n,
                total_cents: 1299 * n,
                items: Vec::new(),
            })
            .collect();
        Ok(query.answer(Duration::from_millis(4), orders.len(), orders))
    }

    /// The lines of one order: called once per order, the N+1 the viewer points at.
    pub fn items_of(&self, order: i64) -> Result<Vec<Item>, DbError> {
        let text = "SELECT sku, quantity FROM order_items WHERE order_id = $1";
        let query = Query::new("SELECT", "order_items", text);
        if order == SLOW_ORDER {
            return query.fail(
                Duration::from_millis(50),
                "57014",
                "canceling statement due to statement timeout",
            );
        }
        let items: Vec<Item> = (0..1 + order % 3)
            .map(|n| Item {
                sku: format!("SKU-{}", 100 + (order + n) % 17),
                quantity: 1 + n,
            })
            .collect();
        // 2 to 4 ms each: small alone, a good share of the request together.
        let latency = Duration::from_micros(2000 + 400 * (order % 6) as u64);
        let rows = items.len();
        Ok(query.answer(latency, rows, items))
    }
}

/// One database call's span, started before the call and ended when it answers.
struct Query(Span);

impl Query {
    fn new(operation: &str, table: &str, text: &str) -> Query {
        let span = Span::builder(format!("{operation} {table}"))
            .kind(SpanKind::Client)
            .attribute("db.system.name", "postgresql")
            .attribute("db.namespace", "shop")
            .attribute("db.operation.name", operation.to_owned())
            .attribute("db.collection.name", table.to_owned())
            .attribute("db.query.text", text.to_owned())
            .attribute("server.address", "db.shop.internal")
            .attribute("server.port", 5432)
            .start();
        Query(span)
    }

    fn answer<T>(mut self, latency: Duration, rows: usize, value: T) -> T {
        std::thread::sleep(latency);
        let rows = i64::try_from(rows).unwrap_or(i64::MAX);
        self.0.set_attribute("db.response.returned_rows", rows);
        value
    }

    fn fail<T>(mut self, after: Duration, code: &str, message: &str) -> Result<T, DbError> {
        std::thread::sleep(after);
        let error = DbError(message.to_owned());
        self.0
            .set_attribute("db.response.status_code", code.to_owned());
        self.0.set_attribute("error.type", code.to_owned());
        self.0.record_error(&error);
        Err(error)
    }
}

/// The fake cache of each customer's orders.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, Vec<Order>>>,
}

impl Cache {
    /// The cached orders of `key`; a miss the first time a customer is asked for.
    pub fn get(&self, key: &str) -> Option<Vec<Order>> {
        let mut span = cache_span("GET", key);
        std::thread::sleep(Duration::from_micros(600));
        let found = self.lock().get(key).cloned();
        span.set_attribute("cache.hit", found.is_some());
        found
    }

    pub fn set(&self, key: &str, orders: &[Order]) {
        let _span = cache_span("SET", key);
        std::thread::sleep(Duration::from_micros(500));
        self.lock().insert(key.to_owned(), orders.to_vec());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Order>>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn cache_span(command: &str, key: &str) -> Span {
    Span::builder(format!("{command} customer-orders"))
        .kind(SpanKind::Client)
        .attribute("db.system.name", "redis")
        .attribute("db.operation.name", command.to_owned())
        .attribute("db.query.text", format!("{command} {key}"))
        .attribute("server.address", "cache.shop.internal")
        .attribute("server.port", 6379)
        .start()
}
