//! The tally of one run, printed at the end: what was imported, updated and skipped, and why.
//! Rows are named by their primary key; no message carries a password or a hash.

use std::fmt;

use gatehouse_domain::ImportOutcome;

use super::convert::Password;

#[derive(Debug, Default)]
pub struct Summary {
    pub read: usize,
    pub created: usize,
    pub updated: usize,
    /// Updated rows whose stored hash was kept (set or upgraded in gatehouse since).
    pub kept_password: usize,
    pub skipped: Vec<(String, String)>,
    /// Imported rows that cannot log in by password, with the reason where it is not Django's
    /// own unusable password.
    pub unusable: Vec<(String, Option<String>)>,
    pub notes: Vec<(String, String)>,
}

impl Summary {
    pub fn record(&mut self, pk: &str, outcome: ImportOutcome, password: &Password) {
        let kept = match outcome {
            ImportOutcome::Created(_) => {
                self.created += 1;
                false
            }
            ImportOutcome::Updated {
                kept_gatehouse_password,
                ..
            } => {
                self.updated += 1;
                self.kept_password += usize::from(kept_gatehouse_password);
                kept_gatehouse_password
            }
        };
        // A password set in gatehouse still works, whatever the source holds now.
        if kept {
            return;
        }
        match password {
            Password::Usable => {}
            Password::Unusable => self.unusable.push((pk.to_owned(), None)),
            Password::Dropped(why) => self.unusable.push((pk.to_owned(), Some(why.clone()))),
        }
    }

    pub fn skip(&mut self, pk: &str, why: impl Into<String>) {
        self.skipped.push((pk.to_owned(), why.into()));
    }

    pub fn note(&mut self, pk: &str, note: String) {
        self.notes.push((pk.to_owned(), note));
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rows read: {}", self.read)?;
        writeln!(f, "imported: {}", self.created)?;
        writeln!(
            f,
            "updated: {} ({} kept a password set in gatehouse)",
            self.updated, self.kept_password
        )?;
        writeln!(f, "skipped: {}", self.skipped.len())?;
        for (pk, why) in &self.skipped {
            writeln!(f, "  row {pk}: {why}")?;
        }
        if !self.unusable.is_empty() {
            writeln!(
                f,
                "without a usable password: {} (they log in after a password reset)",
                self.unusable.len()
            )?;
            for (pk, why) in &self.unusable {
                let why = why.as_deref().unwrap_or("unusable in Django");
                writeln!(f, "  row {pk}: {why}")?;
            }
        }
        if !self.notes.is_empty() {
            writeln!(f, "notes:")?;
            for (pk, note) in &self.notes {
                writeln!(f, "  row {pk}: {note}")?;
            }
        }
        Ok(())
    }
}
