//! Logging: `tracing` to stderr, human-readable or JSON lines, filtered by `GATEHOUSE_LOG`.
//! Nothing logs passwords, codes or tokens: handlers log ids and outcomes only, and request
//! spans carry the path without its query string.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber; a second call (tests starting several servers) is a no-op.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
