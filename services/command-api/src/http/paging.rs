//! What every paged route checks the same way: the page size and the cursor.

use crate::http::error::ApiError;

/// `given`, or `default`, once it is within `1..=max`.
///
/// # Errors
/// 400 `invalid_query` when it is out of range.
pub fn limit(given: Option<usize>, default: usize, max: usize) -> Result<usize, ApiError> {
    let limit = given.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be between 1 and {max}"),
        ))
    }
}

/// The position `cursor` names, decoded by `decode`.
///
/// # Errors
/// 400 `invalid_cursor` for a cursor `decode` does not take (one this API did not make).
pub fn cursor<T>(
    cursor: Option<&str>,
    decode: fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    cursor
        .map(|c| {
            decode(c).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "cursor is not one this API returned")
            })
        })
        .transpose()
}
