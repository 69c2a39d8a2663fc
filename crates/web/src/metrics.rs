//! `/metrics` in the Prometheus text format. The counters are per process (each instance is
//! scraped on its own); what is shared lives in the database and is read at scrape time.
//! Hand-written because three counters do not justify a metrics framework.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

#[derive(Clone, Default)]
pub struct Metrics {
    /// Responses by class: 2xx/3xx, 4xx, 5xx.
    responses: Arc<[AtomicU64; 3]>,
}

impl Metrics {
    fn record(&self, status: u16) {
        let class = match status {
            500.. => 2,
            400..=499 => 1,
            _ => 0,
        };
        self.responses[class].fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, database_up: bool) -> String {
        let [ok, client, server] = [0, 1, 2].map(|i| self.responses[i].load(Ordering::Relaxed));
        format!(
            "# HELP upward_http_responses_total HTTP responses by status class.\n\
             # TYPE upward_http_responses_total counter\n\
             upward_http_responses_total{{class=\"ok\"}} {ok}\n\
             upward_http_responses_total{{class=\"client_error\"}} {client}\n\
             upward_http_responses_total{{class=\"server_error\"}} {server}\n\
             # HELP upward_database_up Whether the database answered the last scrape.\n\
             # TYPE upward_database_up gauge\n\
             upward_database_up {}\n",
            u8::from(database_up)
        )
    }
}

pub async fn count_responses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    state.metrics.record(response.status().as_u16());
    response
}
