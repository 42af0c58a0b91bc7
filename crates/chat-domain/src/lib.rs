//! The Chat aggregate (being written).
