//! Given/when/then tests of every rule.
