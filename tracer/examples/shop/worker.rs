//! The worker: the queue's broker (`POST /queue/order-events` enqueues a message and answers
//! 202 at once) and its consumer, a thread that takes messages one by one and processes each
//! in a consumer span whose parent is the producer's, read from the message's headers.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::http::{Endpoint, Incoming, Reply};
use crate::queue::{self, Message};
use crate::service::Service;

pub struct Worker {
    queue: Mutex<Option<Sender<Message>>>,
    consumer: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn start() -> Worker {
        let (sender, receiver) = channel();
        Worker {
            queue: Mutex::new(Some(sender)),
            consumer: Some(std::thread::spawn(move || consume(receiver))),
        }
    }

    fn enqueue(&self, request: &Incoming) -> Reply {
        let message = match Message::decode(&request.body) {
            Ok(message) => message,
            Err(e) => return Reply::new(400, format!("not a message: {e}")),
        };
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        match queue.as_ref().map(|queue| queue.send(message)) {
            Some(Ok(())) => Reply::new(202, "queued"),
            _ => Reply::new(503, "the queue is closed"),
        }
    }
}

impl Service for Worker {
    fn endpoints(&self) -> Vec<Endpoint<'_>> {
        vec![Endpoint {
            method: "POST",
            route: "/queue/{name}",
            traced: false,
            handler: Box::new(|request, _| self.enqueue(request)),
        }]
    }
}

/// Closing the queue lets the consumer finish the messages already in it, then it stops.
impl Drop for Worker {
    fn drop(&mut self) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(consumer) = self.consumer.take() {
            let _ = consumer.join();
        }
    }
}

fn consume(receiver: Receiver<Message>) {
    for message in receiver {
        let _span = queue::process_span(&message).enter();
        // Waiting in the queue shows as the gap between the producer's and this span.
        render_receipt(&message);
        send_confirmation();
    }
}

#[spindle::trace(
    name = "render receipt",
    attrs("app.event" = message.body["event"].as_str().unwrap_or("").to_owned())
)]
fn render_receipt(message: &Message) {
    std::thread::sleep(Duration::from_millis(3));
}

#[spindle::trace(
    name = "smtp send",
    kind = "client",
    attrs("server.address" = "smtp.shop.internal", "server.port" = 587)
)]
fn send_confirmation() {
    std::thread::sleep(Duration::from_millis(6));
}
