//! Bearer tokens for the audit API and operator endpoints. Only SHA-256 hashes of the tokens are
//! configured (a leaked config file gives nobody access); a presented token is hashed and compared
//! in constant time against every configured hash. Failures say nothing about what exists.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Who may do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Read the audit log (auditors, the audit console).
    Auditor,
    /// Operate the worker (reload rules); also reads the audit log.
    Operator,
}

/// The configured token hashes.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    auditors: Vec<[u8; 32]>,
    operators: Vec<[u8; 32]>,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No valid token (401).
    Unauthenticated,
    /// A valid token without the role (403).
    Forbidden,
}

/// Parses a hex SHA-256 (64 hex digits).
pub fn parse_hash(hex_hash: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(hex_hash.trim())
        .map_err(|_| "a token hash must be 64 hex digits (SHA-256 of the token)".to_string())?;
    bytes
        .try_into()
        .map_err(|_| "a token hash must be 64 hex digits (SHA-256 of the token)".to_string())
}

/// The hex SHA-256 of a token, as it goes into the config (`escalation-masker admin hash-token`).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Tokens {
    /// From hex hashes (validated by the config loader).
    pub fn new(auditors: &[String], operators: &[String]) -> Result<Tokens, String> {
        let parse = |v: &[String]| {
            v.iter()
                .map(|h| parse_hash(h))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Tokens {
            auditors: parse(auditors)?,
            operators: parse(operators)?,
        })
    }

    /// Checks an `Authorization` header value for `role`.
    pub fn check(&self, authorization: Option<&str>, role: Role) -> Result<(), Denied> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Denied::Unauthenticated)?;
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Every hash is compared (no early exit), each in constant time.
        let matches = |list: &[[u8; 32]]| {
            list.iter()
                .fold(0u8, |acc, h| acc | h.ct_eq(&digest).unwrap_u8())
                == 1
        };
        let (operator, auditor) = (matches(&self.operators), matches(&self.auditors));
        match (role, operator, auditor) {
            (_, true, _) | (Role::Auditor, _, true) => Ok(()),
            (Role::Operator, false, true) => Err(Denied::Forbidden),
            _ => Err(Denied::Unauthenticated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_refusals() {
        let t = Tokens::new(&[hash_token("audit-token")], &[hash_token("ops-token")]).unwrap();
        assert_eq!(t.check(Some("Bearer audit-token"), Role::Auditor), Ok(()));
        assert_eq!(t.check(Some("Bearer ops-token"), Role::Auditor), Ok(()));
        assert_eq!(t.check(Some("Bearer ops-token"), Role::Operator), Ok(()));
        assert_eq!(
            t.check(Some("Bearer audit-token"), Role::Operator),
            Err(Denied::Forbidden)
        );
        for bad in [
            None,
            Some(""),
            Some("Bearer "),
            Some("Basic abc"),
            Some("Bearer nope"),
        ] {
            assert_eq!(
                t.check(bad, Role::Auditor),
                Err(Denied::Unauthenticated),
                "{bad:?}"
            );
        }
        assert!(parse_hash("abc").is_err());
        assert_eq!(hash_token("x").len(), 64);
    }
}
