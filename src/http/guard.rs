//! The safety net around every route: a deadline for the whole request, and a 500 whose cause
//! is logged once, with the request id, and answered in the opaque wire shape.
//!
//! A tower service rather than `middleware::from_fn`: that clones and boxes the service inside
//! it and boxes its future on every request, which on the cheapest routes measured as much as
//! the handler (docs/DESIGN.md, "A layer with nothing to do is left out").

use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use serde_json::json;
use tower::{Layer, Service};

use super::REQUEST_ID;
use super::error::InternalCause;

/// Wraps each route in a [`Guard`] with this deadline.
#[derive(Debug, Clone, Copy)]
pub struct GuardLayer {
    timeout: Duration,
}

impl GuardLayer {
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            timeout: self.timeout,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Guard<S> {
    inner: S,
    timeout: Duration,
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id_header = req.headers().get(REQUEST_ID).cloned();
        let answer = tokio::time::timeout(self.timeout, self.inner.call(req));
        Box::pin(async move {
            Ok(match answer.await {
                Ok(Ok(response)) => opaque_if_internal(response, id_header.as_ref()),
                Ok(Err(never)) => match never {},
                Err(_elapsed) => timed_out(id_header.as_ref()),
            })
        })
    }
}

fn timed_out(id_header: Option<&HeaderValue>) -> Response {
    tracing::warn!(request_id = request_id(id_header), "request timed out");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({"detail": "The request took too long.", "code": "timeout"})),
    )
        .into_response()
}

/// A response carrying an [`InternalCause`] becomes the opaque 500, its cause logged here.
fn opaque_if_internal(mut response: Response, id_header: Option<&HeaderValue>) -> Response {
    let Some(InternalCause(cause)) = response.extensions_mut().remove::<InternalCause>() else {
        return response;
    };
    let id = request_id(id_header);
    tracing::error!(request_id = id, error = %format!("{cause:#}"), "internal error");
    let body = json!({"detail": "internal error", "code": "internal", "request_id": id});
    let mut out = (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
    if let Some(value) = id_header {
        out.headers_mut().insert(REQUEST_ID, value.clone());
    }
    out
}

/// The request id as logged and answered; one that is not visible ASCII counts as none.
pub(super) fn request_id(header: Option<&HeaderValue>) -> &str {
    header.and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::{Body, to_bytes};
    use tower::ServiceExt as _;
    use tower::service_fn;

    use super::*;

    fn request(id: Option<&'static str>) -> Request {
        let mut req = Request::new(Body::empty());
        if let Some(id) = id {
            req.headers_mut()
                .insert(REQUEST_ID, HeaderValue::from_static(id));
        }
        req
    }

    /// What a guard with `timeout` around `route` answers to a request with `id`.
    async fn answer<S>(timeout: Duration, route: S, id: Option<&'static str>) -> Response
    where
        S: Service<Request, Response = Response, Error = Infallible> + Send + 'static,
        S::Future: Send + 'static,
    {
        let guard = GuardLayer::new(timeout).layer(route);
        guard.oneshot(request(id)).await.expect("infallible")
    }

    async fn json_of(response: Response) -> serde_json::Value {
        let bytes = to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("a body");
        serde_json::from_slice(&bytes).expect("a JSON body")
    }

    #[tokio::test]
    async fn an_internal_cause_becomes_the_opaque_500_with_the_request_id() {
        let route = service_fn(|_req: Request| async {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response
                .extensions_mut()
                .insert(InternalCause(Arc::new(anyhow::anyhow!(
                    "the store said no: secret detail"
                ))));
            Ok::<_, Infallible>(response)
        });
        let response = answer(Duration::from_secs(5), route, Some("trace-7")).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[REQUEST_ID], "trace-7");
        assert!(response.extensions().get::<InternalCause>().is_none());
        assert_eq!(
            json_of(response).await,
            json!({"detail": "internal error", "code": "internal", "request_id": "trace-7"})
        );
    }

    #[tokio::test]
    async fn any_other_answer_passes_through_untouched() {
        let route = service_fn(|_req: Request| async {
            Ok::<_, Infallible>((StatusCode::IM_A_TEAPOT, "short and stout").into_response())
        });
        let response = answer(Duration::from_secs(5), route, None).await;
        assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
        let body = to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("a body");
        assert_eq!(&body[..], b"short and stout");
    }

    #[tokio::test]
    async fn a_request_past_its_deadline_is_a_503_timeout() {
        let route = service_fn(|_req: Request| async {
            tokio::time::sleep(Duration::from_mins(1)).await;
            Ok::<_, Infallible>(StatusCode::OK.into_response())
        });
        let response = answer(Duration::from_millis(20), route, Some("slow-1")).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            json_of(response).await,
            json!({"detail": "The request took too long.", "code": "timeout"})
        );
    }
}
