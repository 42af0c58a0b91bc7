//! Shared helpers for the tests against the real servers.
