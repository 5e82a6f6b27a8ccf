//! The DSSE envelope (Dead Simple Signing Envelope, v1.0.2 of the secure-systems-lab spec): the
//! signature covers `PAE(payloadType, payload)`, never the JSON around it.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::diag::{InputError, Location, Result};

/// Pre-Authentication Encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as
/// ASCII decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 (standard, padded) of the payload bytes.
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub keyid: String,
    /// Base64 of the 64-byte Ed25519 signature.
    pub sig: String,
}

impl Envelope {
    pub fn new(payload_type: &str, payload: &[u8]) -> Envelope {
        Envelope {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_string(),
            signatures: Vec::new(),
        }
    }

    pub fn parse(bytes: &[u8], path: &Path) -> Result<Envelope> {
        serde_json::from_slice(bytes).map_err(|e| {
            InputError::new(Location::file(path), format!("not a DSSE envelope: {e}")).into()
        })
    }

    pub fn payload_bytes(&self) -> Result<Vec<u8>> {
        STANDARD.decode(&self.payload).map_err(|e| {
            crate::diag::Error::Other(format!("the envelope's payload is not base64: {e}"))
        })
    }

    /// Pretty JSON with a final newline; field order fixed, so the same envelope gives the same
    /// bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("an envelope serializes");
        bytes.push(b'\n');
        bytes
    }
}

/// Base64 (standard, padded), as DSSE writes signatures.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The inverse of [`b64`].
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DSSE spec's own example (protocol.md, "Pre-Authentication Encoding").
    #[test]
    fn pae_matches_the_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        // Lengths are bytes, not characters.
        assert_eq!(pae("t", "é".as_bytes()), b"DSSEv1 1 t 2 \xc3\xa9");
    }
}
