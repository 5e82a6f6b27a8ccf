//! Ed25519 key pairs in the files every tool reads: the private key as PKCS#8 PEM (`BEGIN PRIVATE
//! KEY`, written owner-only and never over an existing file), the public key as SubjectPublicKeyInfo
//! PEM (`BEGIN PUBLIC KEY`), which the auditor publishes. A key's id (the DSSE `keyid`) is the
//! SHA-256 of its 32 raw public bytes, in hex; its fingerprint is the first 16 hex digits.
//!
//! With a passphrase (`key new --encrypt`) the private key is encrypted PKCS#8 (`BEGIN ENCRYPTED
//! PRIVATE KEY`; PBES2 with scrypt and AES-256-CBC, what `openssl pkcs8 -topk8 -v2 aes256` reads).
//! The passphrase is taken from the environment variable [`PASSPHRASE_ENV`], never from the
//! command line (where other users could see it in the process list).

use std::io::Write;
use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};

use crate::diag::{Error, InputError, Location, Result};

/// The environment variable holding the private key's passphrase.
pub const PASSPHRASE_ENV: &str = "FAIRFILE_KEY_PASSPHRASE";

/// The passphrase from [`PASSPHRASE_ENV`], or an error saying to set it.
pub fn passphrase(why: &str) -> Result<String> {
    match std::env::var(PASSPHRASE_ENV) {
        Ok(p) if !p.is_empty() => Ok(p),
        _ => Err(InputError::new(
            Location::file(format!("${PASSPHRASE_ENV}")),
            format!("{why}, and {PASSPHRASE_ENV} is not set"),
        )
        .with_help(format!(
            "set the passphrase in the environment, e.g. `read -rs {PASSPHRASE_ENV}; export {PASSPHRASE_ENV}`"
        ))
        .into()),
    }
}

pub struct SecretKey(SigningKey);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl SecretKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<SecretKey> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed)
            .map_err(|e| Error::Other(format!("no randomness from the operating system: {e}")))?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Base64 of the Ed25519 signature of `message` (deterministic, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> String {
        super::dsse::b64(&self.0.sign(message).to_bytes())
    }

    pub fn load(path: &Path) -> Result<SecretKey> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        if text.contains("BEGIN ENCRYPTED PRIVATE KEY") {
            let pass = passphrase(&format!("{} is encrypted", path.display()))?;
            return SigningKey::from_pkcs8_encrypted_pem(&text, pass.as_bytes())
                .map(SecretKey)
                .map_err(|_| {
                    InputError::new(
                        Location::file(path),
                        format!("cannot decrypt this private key with the passphrase in {PASSPHRASE_ENV}"),
                    )
                    .into()
                });
        }
        SigningKey::from_pkcs8_pem(&text).map(SecretKey).map_err(|e| {
            InputError::new(
                Location::file(path),
                format!("not an Ed25519 private key (PKCS#8 PEM): {e}"),
            )
            .with_help("make one with `fairfile key new --out FILE` (the private key is FILE, the public one FILE.pub)")
            .into()
        })
    }

    /// Write the private key (owner-only) to `path` and the public key to `path.pub`; neither
    /// may exist already.
    pub fn write(&self, path: &Path, passphrase: Option<&str>) -> Result<std::path::PathBuf> {
        let public_path = public_path(path);
        for p in [path, public_path.as_path()] {
            if p.exists() {
                return Err(InputError::new(
                    Location::file(p),
                    "already exists; a key is never overwritten",
                )
                .with_help("choose another --out, or move the old key away")
                .into());
            }
        }
        // PKCS#8 v1 (the private key alone): OpenSSL and Python's cryptography reject the v2
        // form (with the public key) that the ed25519 crate writes.
        let v1 = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.0.to_bytes(),
            public_key: None,
        };
        let pem = match passphrase {
            Some(pass) => v1
                .to_pkcs8_der()
                .and_then(|doc| {
                    doc.decode_msg::<ed25519_dalek::pkcs8::PrivateKeyInfo>()
                        .map_err(Into::into)
                        .and_then(|info| info.encrypt(rand_core::OsRng, pass.as_bytes()))
                })
                .and_then(|doc| {
                    doc.to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
                        .map_err(Into::into)
                }),
            None => v1.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(|e| Error::Other(format!("cannot encode the key: {e}")))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(path, e))?;
        let public = self
            .public()
            .0
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| Error::Other(format!("cannot encode the public key: {e}")))?;
        crate::seal::write_atomic(&public_path, public.as_bytes())?;
        Ok(public_path)
    }
}

impl PublicKey {
    pub fn load(path: &Path) -> Result<PublicKey> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        VerifyingKey::from_public_key_pem(&text)
            .map(PublicKey)
            .map_err(|e| {
                InputError::new(
                    Location::file(path),
                    format!("not an Ed25519 public key (PEM, BEGIN PUBLIC KEY): {e}"),
                )
                .with_help("--trust takes the public key file the signer published (`fairfile key new` writes it as FILE.pub)")
                .into()
            })
    }

    /// The DSSE `keyid`: SHA-256 of the raw public key, hex.
    pub fn keyid(&self) -> String {
        crate::hash::sha256_hex(self.0.as_bytes())
    }

    /// The first 16 hex digits of the key id, for people.
    pub fn fingerprint(&self) -> String {
        self.keyid()[..16].to_string()
    }

    /// Whether `sig` (base64) is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], sig: &str) -> bool {
        let Some(bytes) = super::dsse::unb64(sig) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
            return false;
        };
        self.0
            .verify(message, &ed25519_dalek::Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// `FILE.pub` beside `FILE`.
pub fn public_path(private: &Path) -> std::path::PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 § 7.1, test 1: the secret key, public key and signature of the empty message.
    #[test]
    fn rfc8032_test_vector() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let seed: [u8; 32] =
            hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .try_into()
                .unwrap();
        let key = SecretKey(SigningKey::from_bytes(&seed));
        assert_eq!(
            key.public().0.as_bytes().to_vec(),
            hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let sig = key.sign(b"");
        assert_eq!(
            super::super::dsse::unb64(&sig).unwrap(),
            hex(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
            )
        );
        assert!(key.public().verify(b"", &sig));
        assert!(!key.public().verify(b"x", &sig));
    }

    #[test]
    fn keys_round_trip_through_their_files_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auditor.key");
        let key = SecretKey::generate().unwrap();
        let public_path = key.write(&path, None).unwrap();
        assert_eq!(public_path, dir.path().join("auditor.key.pub"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let loaded = SecretKey::load(&path).unwrap();
        assert_eq!(loaded.public(), key.public());
        assert_eq!(PublicKey::load(&public_path).unwrap(), key.public());
        assert!(key.write(&path, None).is_err());
        assert!(
            PublicKey::load(&path).is_err(),
            "a private key is not a public key file"
        );
    }
}
