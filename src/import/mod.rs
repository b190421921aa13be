//! `gatehouse import-django`: bring the users of a Django site over, passwords included.
//!
//! Django hashes (`pbkdf2_sha256`, `argon2`) are stored as they are: they verify at login and
//! are re-hashed to Argon2id then, so nobody has to choose a new password. The import can run
//! again while the old site is still in use: each account remembers its source row (its import
//! key), a re-run updates it, and a password set in gatehouse since is never overwritten. Each
//! user is one store call and one transaction; a row that cannot be imported is skipped with its
//! reason in the summary.

mod convert;
mod mapping;
mod summary;

use std::collections::HashMap;
use std::io::IsTerminal as _;

use gatehouse_domain::{ImportKey, ImportedUser, StoreError};
use indicatif::{ProgressBar, ProgressStyle};

use self::convert::{Context, convert, username_candidate};
use self::mapping::{Field, Mapping, Preset};
use self::summary::Summary;
use crate::config::Config;

/// How many `name-2`, `name-3`, … a row tries before it is skipped for its username.
const USERNAME_TRIES: u32 = 50;

const MAP_HELP: &str = "Fill FIELD from COLUMN (repeatable); `FIELD=` leaves a field out.\n\n\
    Fields: id, username, email, password, first_name, last_name, phone_number, date_of_birth, \
    gender, role, is_active, is_email_verified, is_staff, is_superuser, date_joined, last_login. \
    id, email and password must stay mapped.";

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The Django database: a SQLite file (path or sqlite:// URL) or a postgres:// URL.
    #[arg(long, value_name = "PATH|URL")]
    pub from: String,
    /// The user model: its table and which column fills which field.
    #[arg(long, value_enum, default_value = "django")]
    pub preset: Preset,
    /// The user table, when it is not the preset's.
    #[arg(long)]
    pub table: Option<String>,
    /// Fill FIELD from COLUMN (repeatable); `FIELD=` leaves a field out.
    #[arg(long = "map", value_name = "FIELD=COLUMN", long_help = MAP_HELP)]
    pub maps: Vec<String>,
    /// Import the source role THEIRS as the configured role OURS (repeatable).
    #[arg(long = "role-map", value_name = "THEIRS=OURS")]
    pub role_maps: Vec<String>,
    /// Names this source in the import keys (`NAME:<table>:<pk>`); give each Django site its own.
    #[arg(long, default_value = "django")]
    pub source: String,
    /// Read and check everything, report what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Migrates gatehouse's database, reads the source table, imports each row, prints a summary.
pub async fn run(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let mapping = Mapping::new(args.preset, args.table, &args.maps)?;
    // The key's other parts are fixed for the run: refuse a bad one before reading any row.
    ImportKey::new(&args.source, &mapping.table, "pk")
        .map_err(|e| anyhow::anyhow!("--source/--table: {e}"))?;
    let roles = config.role_set()?;
    let role_map = role_map(&args.role_maps, &roles)?;
    let fields = mapping.fields();
    let id_index = fields
        .iter()
        .position(|f| *f == Field::Id)
        .unwrap_or_default();
    let rows = crate::store::read_foreign_table(
        &args.from,
        &mapping.table,
        &mapping.column_names(),
        mapping.id_column(),
    )
    .await?;
    let store = crate::store::open(&config.database_url(), 1).await?;
    let ctx = Context {
        source: &args.source,
        table: &mapping.table,
        roles: &roles,
        role_map: &role_map,
        imported_at: chrono::Utc::now(),
    };
    let mut summary = Summary {
        read: rows.len(),
        ..Summary::default()
    };
    let bar = progress(rows.len())?;
    let mut result = Ok(());
    for values in rows {
        let pk = values
            .get(id_index)
            .cloned()
            .flatten()
            .unwrap_or_else(|| "(no key)".to_owned());
        match convert(&ctx, &fields, values) {
            Err(why) => summary.skip(&pk, why),
            Ok(row) => {
                for note in row.notes {
                    summary.note(&pk, note);
                }
                match import(store.as_ref(), row.user, args.dry_run).await {
                    Ok(Ok(outcome)) => summary.record(&pk, outcome, &row.password),
                    Ok(Err(why)) => summary.skip(&pk, why),
                    Err(e) => {
                        result = Err(anyhow::anyhow!(
                            "importing row {pk}: {e}; the rows before it are done, and a re-run \
                             continues from there"
                        ));
                        break;
                    }
                }
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    store.close().await;
    if args.dry_run {
        println!("dry run: nothing was written");
    }
    print!("{summary}");
    result
}

/// Imports one user, moving to the next username candidate while the name is taken.
/// `Ok(Err(reason))` is a skip; `Err` a store failure that ends the run.
async fn import(
    store: &dyn gatehouse_domain::Store,
    mut user: ImportedUser,
    dry_run: bool,
) -> Result<Result<gatehouse_domain::ImportOutcome, String>, StoreError> {
    let base = user.username.clone();
    for n in 1..=USERNAME_TRIES {
        let Some(candidate) = username_candidate(&base, n) else {
            break;
        };
        user.username = candidate;
        match store.import_user(user.clone(), dry_run).await {
            Ok(outcome) => return Ok(Ok(outcome)),
            Err(StoreError::Conflict("username")) => {}
            Err(StoreError::Conflict(field)) => {
                return Ok(Err(format!(
                    "{field} {:?} belongs to another gatehouse account",
                    user.email.as_ref()
                )));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Err(format!(
        "username {:?} and {USERNAME_TRIES} variants of it are taken",
        base.as_ref()
    )))
}

/// `THEIRS=OURS` pairs; every OURS must be a configured role.
fn role_map(
    pairs: &[String],
    roles: &gatehouse_domain::RoleSet,
) -> anyhow::Result<HashMap<String, String>> {
    pairs
        .iter()
        .map(|pair| {
            let (theirs, ours) = pair
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--role-map {pair:?}: expected THEIRS=OURS"))?;
            roles
                .parse(ours.trim())
                .map_err(|e| anyhow::anyhow!("--role-map {pair:?}: {e}"))?;
            Ok((theirs.trim().to_owned(), ours.trim().to_owned()))
        })
        .collect()
}

/// A bar on stderr when it is a terminal; hidden otherwise (logs and CI stay clean).
fn progress(len: usize) -> anyhow::Result<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return Ok(ProgressBar::hidden());
    }
    let bar = ProgressBar::new(u64::try_from(len)?);
    bar.set_style(ProgressStyle::with_template(
        "importing users {bar:40} {pos}/{len} {elapsed}",
    )?);
    Ok(bar)
}
