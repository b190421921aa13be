//! The user directory and administration: who may list, see, change and delete whom
//! (`permissions`, a full matrix), what the list answers (`listing`), staff changes and
//! deletions (`accounts`), invitations (`invite`), and the admin API (`admin`).

mod accounts;
mod admin;
mod audit_events;
mod invite;
mod listing;
mod permissions;
mod seeds;
mod support;
