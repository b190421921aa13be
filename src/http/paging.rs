//! Query parameters and DRF's page-number pagination: `?page=&page_size=`, answered as
//! `{count, next, previous, results}` with absolute links, as DRF clients expect.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::validate::Checks;
use crate::app::AppState;

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

/// The request's query parameters, and what it takes to link to another page of the answer.
#[derive(Debug, Clone)]
pub struct Params {
    base: String,
    path: String,
    pairs: Vec<(String, String)>,
}

impl FromRequestParts<AppState> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let pairs = serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).map_err(|e| {
            ApiError::BadRequest {
                detail: format!("The query string cannot be read: {e}."),
                code: "parse_error",
            }
        })?;
        Ok(Self {
            base: state.config.public_base(),
            path: parts.uri.path().to_owned(),
            pairs,
        })
    }
}

impl Params {
    /// The first value of `name`, trimmed; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// This request's URL with `page` set to `page`.
    fn link(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            format!("{}{}", self.base, self.path)
        } else {
            format!("{}{}?{query}", self.base, self.path)
        }
    }
}

/// Which page the caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub size: u32,
}

impl PageRequest {
    /// Reads `page` (DRF: anything but a positive integer is 404 "Invalid page.") and
    /// `page_size` (1 to `MAX_PAGE_SIZE`, else a field error).
    pub fn parse(c: &mut Checks, params: &Params) -> Result<Self, ApiError> {
        let page = match params.get("page") {
            None => 1,
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=1_000_000).contains(p))
                .ok_or(ApiError::InvalidPage)?,
        };
        let size = match params.get("page_size") {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|s| (1..=MAX_PAGE_SIZE).contains(s))
                .unwrap_or_else(|| {
                    c.add(
                        "page_size",
                        format!("Ensure this value is an integer from 1 to {MAX_PAGE_SIZE}."),
                    );
                    DEFAULT_PAGE_SIZE
                }),
        };
        Ok(Self { page, size })
    }

    pub fn offset(self) -> u64 {
        (self.page - 1) * u64::from(self.size)
    }
}

/// A page of results in DRF's envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

impl<T> Page<T> {
    /// The same page with each result reshaped.
    pub fn map<U>(self, shape: impl FnMut(T) -> U) -> Page<U> {
        Page {
            count: self.count,
            next: self.next,
            previous: self.previous,
            results: self.results.into_iter().map(shape).collect(),
        }
    }

    /// Wraps `results`; a page past the end (other than an empty first page) is 404.
    pub fn new(
        params: &Params,
        request: PageRequest,
        total: u64,
        results: Vec<T>,
    ) -> Result<Self, ApiError> {
        if request.page > 1 && request.offset() >= total {
            return Err(ApiError::InvalidPage);
        }
        let shown = request.offset() + results.len() as u64;
        Ok(Self {
            count: total,
            next: (shown < total).then(|| params.link(request.page + 1)),
            previous: (request.page > 1).then(|| params.link(request.page - 1)),
            results,
        })
    }
}
