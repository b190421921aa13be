//! `sqlx::migrate!` embeds `migrations/` when this crate compiles, and cargo cannot see a new
//! migration file by itself: without this, a build after adding one keeps the old set.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
