//! The local dev keypair: lets `interact` sign requests that a server started
//! with `DISCORD_PUBLIC_KEY=dev` accepts, so commands can be tried without
//! Discord. The file holds the hex seed of an Ed25519 key and never leaves
//! the developer's machine (it is git-ignored).

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

/// Default location of the dev keypair, relative to the working folder.
pub const DEFAULT_DEV_KEYPAIR_FILE: &str = ".dev-keypair";

/// The path of the dev keypair: `FTS_DEV_KEYPAIR` or [`DEFAULT_DEV_KEYPAIR_FILE`].
pub fn dev_keypair_path() -> PathBuf {
    std::env::var_os("FTS_DEV_KEYPAIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DEV_KEYPAIR_FILE))
}

/// Why the dev keypair could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum DevKeyError {
    /// Reading or writing the file failed.
    #[error("dev keypair file {path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file exists but does not hold 64 hex characters.
    #[error("dev keypair file {0} is corrupt: delete it to make a new one")]
    Corrupt(PathBuf),
    /// The operating system's random source failed.
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

/// A signing key for local development.
#[derive(Clone)]
pub struct DevKeypair {
    key: SigningKey,
}

impl DevKeypair {
    /// Loads the keypair at `path`, creating it (mode 0600) on first use.
    pub fn load_or_create(path: &Path) -> Result<Self, DevKeyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Self::from_hex_seed(text.trim()).ok_or_else(|| DevKeyError::Corrupt(path.into()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| DevKeyError::Random(e.to_string()))?;
                write_private(path, &hex::encode(seed)).map_err(|source| DevKeyError::Io {
                    path: path.into(),
                    source,
                })?;
                Ok(Self {
                    key: SigningKey::from_bytes(&seed),
                })
            }
            Err(source) => Err(DevKeyError::Io {
                path: path.into(),
                source,
            }),
        }
    }

    /// A keypair from a fixed seed (tests and benches).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    fn from_hex_seed(text: &str) -> Option<Self> {
        let mut seed = [0u8; 32];
        hex::decode_to_slice(text, &mut seed).ok()?;
        Some(Self::from_seed(seed))
    }

    /// The public half, which the server verifies against.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public half as hex, the form `DISCORD_PUBLIC_KEY` takes.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.verifying_key().to_bytes())
    }

    /// Signs `timestamp ‖ body` the way Discord does and returns the hex
    /// signature for `X-Signature-Ed25519`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex::encode(self.key.sign(&message).to_bytes())
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::signature::InteractionVerifier;

    #[test]
    fn a_created_keypair_is_reloaded_and_its_signatures_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kp");
        let first = DevKeypair::load_or_create(&path).unwrap();
        let again = DevKeypair::load_or_create(&path).unwrap();
        assert_eq!(first.public_key_hex(), again.public_key_hex());
        let now = chrono::Utc::now();
        let ts = now.timestamp().to_string();
        let sig = first.sign(&ts, b"{}");
        let verifier = InteractionVerifier::new(again.verifying_key());
        assert_eq!(
            verifier.verify(Some(sig.as_bytes()), Some(ts.as_bytes()), b"{}", now),
            Ok(())
        );
    }

    #[test]
    fn a_corrupt_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kp");
        std::fs::write(&path, "not hex").unwrap();
        assert!(matches!(
            DevKeypair::load_or_create(&path),
            Err(DevKeyError::Corrupt(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not hex");
    }
}
