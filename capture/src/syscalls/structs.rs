//! structs
