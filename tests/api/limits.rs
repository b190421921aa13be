//! Rate limits and brute-force defence over HTTP: the rules on the canonical routes (`rules`),
//! the seeds' paths (`seeds`), with servers built in `support`.

mod rules;
mod seeds;
mod support;
