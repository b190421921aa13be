//! The store contract suite: one set of checks that every `Store` implementation must pass, so
//! `SQLite` and `PostgreSQL` behave the same to the layers above them.
//!
//! Compiled only with the `contract` feature, by the store crates' tests. Checks go through the
//! trait alone and tolerate sharing one store: each uses its own randomly tagged users, and times
//! far from those of the other checks where a call looks beyond one user (`revoked_since`,
//! `prune_sessions`, `prune_secrets`, `claim_jobs`, `prune_jobs`). A failed check panics with
//! what it expected.

mod accounts;
mod directory;
mod import;
mod issue;
mod job_states;
mod jobs;
mod keys;
mod mfa;
mod redeem;
mod resets;
mod secrets;
mod session_sets;
mod sessions;
mod support;
mod users;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures_util::FutureExt;

use crate::Store;

pub use self::support::{new_user, session};

/// One check: runs against a migrated store and panics if the store breaks the contract.
pub type Check = for<'a> fn(&'a dyn Store) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

macro_rules! checks {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// Every check with its name, in the order `run_all` runs them.
        pub const CHECKS: &[(&str, Check)] = &[
            $((stringify!($name), |store| Box::pin($module::$name(store)))),*
        ];
    };
}

checks![
    users::ping_answers,
    users::create_and_read_user,
    users::create_user_conflicts_ignore_case,
    users::create_user_race_has_one_winner,
    users::login_prefers_username_over_email,
    accounts::set_password_hash_keeps_sessions,
    accounts::update_profile_changes_only_given_fields,
    accounts::delete_user_returns_live_sessions_and_cascades,
    sessions::start_session_records_login,
    sessions::advance_session_is_compare_and_set,
    sessions::advance_sessions_answers_each_step_in_order,
    sessions::revoke_session_checks_owner,
    sessions::revoke_user_sessions_keeps_one,
    session_sets::change_password_is_atomic,
    session_sets::live_sessions_newest_first,
    session_sets::revoked_since_is_inclusive,
    session_sets::prune_sessions_removes_dead_ones,
    session_sets::timestamps_round_trip_exactly,
    keys::ensure_signing_key_keeps_one_current,
    keys::ensure_secret_is_idempotent,
    secrets::create_user_with_secret_writes_all_three,
    secrets::create_user_with_secret_rolls_back,
    secrets::live_secret_respects_attempts_expiry_and_use,
    secrets::prune_secrets_removes_spent_ones,
    issue::issue_secrets_voids_older_and_honours_cooldown,
    issue::issue_secrets_of_several_purposes,
    issue::issue_secrets_race_has_one_winner,
    redeem::redeem_is_single_use,
    redeem::redeem_activates,
    redeem::redeem_change_email_is_all_or_nothing,
    resets::redeem_exchange_replaces_older_tokens,
    resets::redeem_reset_password_revokes_and_voids,
    // The job checks run in this order, each in an earlier year than the one before.
    jobs::enqueue_job_stores_it_queued,
    jobs::claim_jobs_takes_due_jobs_oldest_first,
    jobs::claim_jobs_never_hands_out_a_job_twice,
    jobs::expired_lease_is_reclaimed,
    job_states::finish_job_scrubs_the_payload,
    job_states::retry_and_bury_move_jobs,
    job_states::prune_jobs_removes_old_done_ones,
    directory::dead_jobs_are_listed_and_requeued,
    directory::list_users_filters_orders_and_pages,
    directory::update_account_deactivation_revokes_sessions,
    directory::audit_log_filters_newest_first_and_prunes,
    import::import_creates_then_updates_the_same_account,
    import::import_keeps_a_password_set_in_gatehouse,
    import::import_leaves_unknown_fields_and_later_logins_alone,
    import::import_conflicts_write_nothing,
    import::import_keeps_a_free_wanted_id,
    import::import_dry_run_writes_nothing,
    import::import_race_creates_one_account,
    mfa::totp_enrolment_is_replaced_until_confirmed,
    mfa::mfa_challenge_spends_steps_and_codes_once,
    mfa::disable_totp_spends_the_proof_and_cascades,
];

/// The outcome of `run_each`: the names of the checks that passed, and of those that failed
/// with their panic message.
#[derive(Debug, Default)]
pub struct Report {
    /// The checks that returned.
    pub passed: Vec<&'static str>,
    /// The checks that panicked, with the panic message.
    pub failed: Vec<(&'static str, String)>,
}

impl Report {
    /// Panics listing every failed check, if any failed.
    pub fn assert_passed(&self) {
        let total = self.passed.len() + self.failed.len();
        assert!(
            self.failed.is_empty(),
            "{} of {total} store contract checks failed:\n{}",
            self.failed.len(),
            self.failed
                .iter()
                .map(|(name, why)| format!("  {name}: {why}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Runs every check on `store`, one after another, catching each check's panic so one failure
/// does not hide the others; lets the caller clean up before asserting.
pub async fn run_each(store: &dyn Store) -> Report {
    let mut report = Report::default();
    for (name, check) in CHECKS {
        match AssertUnwindSafe(check(store)).catch_unwind().await {
            Ok(()) => {
                println!("store contract: {name} ok");
                report.passed.push(name);
            }
            Err(panic) => {
                println!("store contract: {name} FAILED");
                report.failed.push((name, panic_message(panic.as_ref())));
            }
        }
    }
    report
}

/// Runs every check on `store` and panics if any failed.
pub async fn run_all(store: &dyn Store) {
    run_each(store).await.assert_passed();
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panicked".to_owned())
}
