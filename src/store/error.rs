//! The storage boundary's error type.

/// A database operation failed. The message is for logs, never for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `DATABASE_URL` names an engine we do not support.
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    /// The database answered with an error or could not be reached.
    #[error("database error")]
    Sqlx(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be decoded (a bug or a hand-edited row).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}
