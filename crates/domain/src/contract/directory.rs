//! Contract checks for the user directory, staff changes to accounts, the audit log and the
//! administration of dead jobs.

use chrono::TimeDelta;

use super::support::{Must, at, base, live_session, minutes, new_user, tag};
use crate::{
    AccountPatch, AuditEvent, AuditQuery, JobState, NewAuditEntry, NewJob, Role, SearchScope,
    Store, StoreError, User, UserId, UserOrderField, UserOrdering, UserQuery,
};

/// A user named `{name}_{tag}` with the given role and staff flag.
async fn member(store: &dyn Store, tag: &str, name: &str, role: &str, staff: bool) -> User {
    let mut new = new_user(tag, name);
    new.role = Role::from_store(role.to_owned());
    new.is_staff = staff;
    store.create_user(new).await.must("create_user")
}

fn query(search: &str) -> UserQuery {
    UserQuery {
        role: None,
        search: Some(search.to_owned()),
        scope: SearchScope::Public,
        include_staff: false,
        include_inactive: false,
        ordering: UserOrdering::default(),
        offset: 0,
        limit: 50,
    }
}

fn names(page: &crate::UserPage) -> Vec<&str> {
    page.users.iter().map(|u| u.username.as_str()).collect()
}

pub(super) async fn list_users_filters_orders_and_pages(store: &dyn Store) {
    let tag = tag();
    let ann = member(store, &tag, "ann", "client", false).await;
    let bob = member(store, &tag, "bob", "employee", false).await;
    let cat = member(store, &tag, "cat", "client", false).await;
    let boss = member(store, &tag, "boss", "employee", true).await;

    let mut idle = new_user(&tag, "idle");
    (idle.is_staff, idle.is_active) = (false, false);
    let idle = store.create_user(idle).await.must("create_user idle");

    let page = store.list_users(&query(&tag)).await.must("list_users");
    assert_eq!(page.total, 3, "staff and inactive are left out: {page:?}");
    assert_eq!(names(&page), [&ann.username, &bob.username, &cat.username]);
    let mut everyone = query(&tag);
    (everyone.include_staff, everyone.include_inactive) = (true, true);
    let page = store.list_users(&everyone).await.must("list_users all");
    assert_eq!(page.total, 5);
    assert!(names(&page).contains(&idle.username.as_str()));

    let mut with_staff = query(&tag.to_uppercase());
    with_staff.include_staff = true;
    with_staff.role = Some(Role::from_store("employee".to_owned()));
    let page = store.list_users(&with_staff).await.must("list_users role");
    assert_eq!(names(&page), [&bob.username, &boss.username]);

    let mut ordered = query(&tag);
    ordered.ordering = UserOrdering {
        field: UserOrderField::Username,
        descending: true,
    };
    ordered.offset = 1;
    ordered.limit = 1;
    let page = store.list_users(&ordered).await.must("list_users page");
    assert_eq!((page.total, names(&page)), (3, vec![bob.username.as_str()]));
    ordered.offset = 3;
    let page = store
        .list_users(&ordered)
        .await
        .must("list_users past the end");
    assert_eq!((page.total, page.users.len()), (3, 0));

    // Wildcards are literal, and email is searched only in the staff scope.
    let page = store
        .list_users(&query(&format!("%{tag}")))
        .await
        .must("list_users %");
    assert_eq!(page.total, 0);
    let by_email = format!("ann.{tag}@");
    assert_eq!(
        store
            .list_users(&query(&by_email))
            .await
            .must("public")
            .total,
        0
    );
    let mut staff_search = query(&by_email);
    staff_search.scope = SearchScope::WithEmail;
    let page = store.list_users(&staff_search).await.must("with email");
    assert_eq!(names(&page), [&ann.username]);

    let found = store.user_by_public_id(cat.public_id).await;
    assert_eq!(found.must("user_by_public_id"), Some(cat));
    let missing = store.user_by_public_id(crate::PublicId::random()).await;
    assert_eq!(missing.must("user_by_public_id unknown"), None);
}

pub(super) async fn update_account_deactivation_revokes_sessions(store: &dyn Store) {
    let tag = tag();
    let ann = member(store, &tag, "ann", "client", false).await;
    let live = live_session(store, ann.id).await;
    let promote = AccountPatch {
        role: Some(Role::from_store("employee".to_owned())),
        is_staff: Some(true),
        ..AccountPatch::default()
    };
    let (promoted, revoked) = store
        .update_account(ann.id, &promote, base())
        .await
        .must("update_account");
    assert_eq!(
        (promoted.role.as_ref(), promoted.is_staff),
        ("employee", true)
    );
    assert_eq!((promoted.is_active, revoked), (true, vec![]));

    let off = AccountPatch {
        is_active: Some(false),
        ..AccountPatch::default()
    };
    let (off_user, revoked) = store
        .update_account(ann.id, &off, base())
        .await
        .must("deactivate");
    assert!(!off_user.is_active);
    assert_eq!(revoked, vec![live.id]);
    assert!(off_user.is_staff, "fields not in the patch stay");
    let gone = store.update_account(UserId(i64::MAX), &off, base()).await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
}

pub(super) async fn audit_log_filters_newest_first_and_prunes(store: &dyn Store) {
    // 2041: no other check writes audit entries then.
    let start = at("2041-03-01T00:00:00.000001Z");
    let (ann, bob) = (UserId(9_000_001), UserId(9_000_002));
    let entry = |event, actor, target, minute: i64| NewAuditEntry {
        event,
        actor,
        target,
        ip: "198.51.100.7".to_owned(),
        user_agent: "contract/1.0".to_owned(),
        detail: format!("{{\"n\":{minute}}}"),
        at: start + minutes(minute),
    };
    let written = [
        entry(AuditEvent::LoginFailed, None, Some(ann), 0),
        entry(AuditEvent::LoginSucceeded, Some(ann), Some(ann), 1),
        entry(AuditEvent::AccountUpdated, Some(bob), Some(ann), 2),
        entry(AuditEvent::Logout, Some(bob), Some(bob), 3),
    ];
    for e in &written {
        store.record_audit(e).await.must("record_audit");
    }
    let window = AuditQuery {
        since: Some(start),
        until: Some(start + minutes(60)),
        limit: 10,
        ..AuditQuery::default()
    };
    let all = store.audit_entries(&window).await.must("audit_entries");
    assert_eq!(all.total, 4);
    let events: Vec<_> = all.entries.iter().map(|e| e.entry.clone()).collect();
    assert_eq!(events, written.iter().rev().cloned().collect::<Vec<_>>());

    let about_ann = AuditQuery {
        user: Some(ann),
        ..window.clone()
    };
    assert_eq!(
        store.audit_entries(&about_ann).await.must("by user").total,
        3
    );
    let failures = AuditQuery {
        event: Some(AuditEvent::LoginFailed),
        ..window.clone()
    };
    let page = store.audit_entries(&failures).await.must("by event");
    assert_eq!((page.total, page.entries[0].entry.target), (1, Some(ann)));
    let later = AuditQuery {
        since: Some(start + minutes(2)),
        offset: 1,
        limit: 1,
        ..window.clone()
    };
    let page = store.audit_entries(&later).await.must("since + page");
    assert_eq!(page.total, 2);
    assert_eq!(page.entries[0].entry.event, AuditEvent::AccountUpdated);

    let pruned = store
        .prune_audit(start + minutes(2))
        .await
        .must("prune_audit");
    assert!(pruned >= 2, "pruned {pruned}");
    assert_eq!(
        store.audit_entries(&window).await.must("after prune").total,
        2
    );
    store
        .prune_audit(start + TimeDelta::days(1))
        .await
        .must("prune_audit all");
}

pub(super) async fn dead_jobs_are_listed_and_requeued(store: &dyn Store) {
    // 2003: earlier than every other job check, so no other check's job is due then.
    let start = at("2003-06-01T00:00:00Z");
    let worker = format!("w-{}", tag());
    let id = store
        .enqueue_job(NewJob {
            kind: "email".to_owned(),
            payload: "keep me".to_owned(),
            run_at: start,
        })
        .await
        .must("enqueue_job");
    let claimed = store
        .claim_jobs(&worker, start, start + minutes(1), 1)
        .await
        .must("claim_jobs");
    assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
    assert!(
        !store
            .requeue_dead_job(id, start)
            .await
            .must("requeue running")
    );
    assert!(
        store
            .bury_job(id, &worker, "smtp down", start)
            .await
            .must("bury_job")
    );

    let dead = store
        .list_jobs(Some(JobState::Dead), 0, 1000)
        .await
        .must("list_jobs dead");
    assert!(dead.jobs.iter().all(|j| j.state == JobState::Dead));
    assert!(dead.jobs.iter().any(|j| j.id == id), "{dead:?}");
    let any = store.list_jobs(None, 0, 1).await.must("list_jobs any");
    assert!(any.total >= dead.total && any.jobs.len() == 1);

    let later = start + minutes(5);
    assert!(
        store
            .requeue_dead_job(id, later)
            .await
            .must("requeue_dead_job")
    );
    let job = store.job(id).await.must("job").must("job");
    assert_eq!(
        (job.state, job.attempts, job.run_at),
        (JobState::Queued, 0, later)
    );
    assert_eq!(
        (job.payload.as_str(), job.last_error.as_str()),
        ("keep me", "smtp down")
    );
    assert_eq!(job.finished_at, None);
    assert!(
        !store
            .requeue_dead_job(id, later)
            .await
            .must("requeue queued")
    );
    // Leave nothing due for the other checks: run it to completion.
    let again = store
        .claim_jobs(&worker, later, later + minutes(1), 1)
        .await
        .must("claim again");
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
    assert!(
        store
            .finish_job(id, &worker, later)
            .await
            .must("finish_job")
    );
}
