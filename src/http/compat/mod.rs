//! The seeds' documented routes (docs/API.md "Seed-compatible routes"), each at
//! the path its README gives, taking its request shape and answering with its response shape —
//! on the same use cases (`crate::accounts`) as the canonical API, so with the same security: a
//! seed's bug is never reproduced. docs/compat.md lists every route and every departure.
//!
//! One file per seed; `shapes` holds the paths two seeds share, answered by one handler with a
//! superset of both shapes.

mod directory;
mod dra;
mod lit;
mod shapes;
mod sin;
mod tlr;
mod tma;

use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

pub use shapes::DraUser;

/// Every seed's routes, at their documented paths.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(shapes::router())
        .merge(directory::router())
        .merge(sin::router())
        .merge(tlr::router())
        .merge(lit::router())
        .merge(dra::router())
        .merge(tma::router())
}
