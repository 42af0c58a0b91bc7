//! What a token must claim besides a valid signature: a time window (`exp`, and `nbf`
//! when present) checked with some leeway for clock skew, the issuer and audience when
//! the deployment names them, and a display name the text policy accepts.

use std::time::Duration;

use chat_domain::text::{self, TextKind};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, Validation};

use crate::authenticator::AuthError;

/// The leeway of [`ClaimRules::default`].
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// The longest `name` claim accepted, in characters (a chat name's limit too).
pub const NAME_MAX_CHARS: usize = 255;

/// The claims a deployment requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRules {
    /// Clock skew allowed on `exp` and `nbf`: a token is accepted this long after its
    /// `exp` and this long before its `nbf`.
    pub leeway: Duration,
    /// The `iss` every token must carry; `None` accepts any issuer, or none.
    pub issuer: Option<String>,
    /// The value every token's `aud` (a string or an array) must hold; `None` accepts any
    /// audience, or none.
    pub audience: Option<String>,
}

impl Default for ClaimRules {
    fn default() -> Self {
        Self {
            leeway: DEFAULT_LEEWAY,
            issuer: None,
            audience: None,
        }
    }
}

impl ClaimRules {
    /// The signature and registered-claim checks for tokens signed with `algorithm`.
    pub(crate) fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        let mut required = vec!["exp", "sub"];
        validation.leeway = self.leeway.as_secs();
        validation.validate_nbf = true;
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            // Without an audience of our own, jsonwebtoken refuses every token that names
            // one; a token minted for several services must still be accepted.
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }
}

/// Why jsonwebtoken refused a token, as the [`AuthError`] naming the claim at fault.
pub(crate) fn refusal(error: &Error) -> AuthError {
    match error.kind() {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
        ErrorKind::InvalidIssuer => AuthError::BadClaim {
            claim: "iss",
            reason: "not the issuer this service accepts".into(),
        },
        ErrorKind::InvalidAudience => AuthError::BadClaim {
            claim: "aud",
            reason: "does not name this service's audience".into(),
        },
        _ => AuthError::Invalid(error.to_string()),
    }
}

/// The display name a `name` claim gives: `None` when absent or blank.
///
/// # Errors
/// [`AuthError::BadClaim`] when the name is longer than [`NAME_MAX_CHARS`] or holds a
/// character the text policy refuses: it would travel in events and be stored.
pub(crate) fn display_name(name: Option<String>) -> Result<Option<String>, AuthError> {
    let Some(name) = name else { return Ok(None) };
    let bad = |reason: String| AuthError::BadClaim {
        claim: "name",
        reason,
    };
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(bad(format!("longer than {NAME_MAX_CHARS} characters")));
    }
    text::check("name", TextKind::SingleLine, &name).map_err(|fault| bad(fault.to_string()))?;
    Ok(Some(name).filter(|n| !n.trim().is_empty()))
}
