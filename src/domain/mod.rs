//! Pure community rules: no I/O, no clocks, no HTTP. Everything here takes
//! its inputs as arguments so every rule is tested with plain values.

pub mod masking;
pub mod money;
pub mod names;
