//! Query parameters several list operations share, as the document describes them. Handlers
//! read them through `paging::Params`; these types exist for the document only.

use utoipa::IntoParams;

/// DRF's page-number pagination.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1; past the last page is 404 `Invalid page.`.
    pub page: Option<u64>,
    /// Results per page, 1 to 100 (default 20).
    pub page_size: Option<u32>,
}

/// The member directory's search and ordering.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Searches usernames and names (and email, for staff).
    pub search: Option<String>,
    /// A field to order by, `-` first for descending.
    pub ordering: Option<String>,
}

/// The directory's role filter.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoleParams {
    /// Only users of this role.
    pub role: Option<String>,
}
