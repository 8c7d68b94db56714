//! Helpers shared by the integration tests.

pub mod files;
pub mod outputs;
pub mod servers;
