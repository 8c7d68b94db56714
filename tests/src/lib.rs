//! Fixtures written by the real `slatedb` crate and the oracle that reads them back.
//!
//! [`slatedb_018`] drives SlateDB 0.18 through the situations slatecheck must judge
//! (checkpoints, clones, separate WAL stores, WAL wipes and holes, GC) on the local filesystem
//! and asks it what it sees in a store, so tests can compare slatecheck's reading with
//! SlateDB's. With the `slatedb-015` feature, `slatedb_015` does the same with SlateDB 0.15,
//! whose manifests are format version 1. Both run the same scenario code.

pub mod compare;
pub mod judge;
pub mod random_scenarios;
pub mod store;

/// Scenarios and oracle on SlateDB 0.18 (manifest format version 2).
pub mod slatedb_018 {
    use slatedb as sdb;

    /// The calls whose API differs between SlateDB versions.
    pub mod compat {
        include!("engine/compat_018.rs");
    }

    /// What SlateDB 0.18 reads in a store.
    pub mod oracle {
        include!("engine/oracle.rs");
    }

    /// Scenarios run with SlateDB 0.18.
    pub mod scenarios {
        include!("engine/scenarios.rs");
    }

    /// Scenarios run with SlateDB 0.18 only (fixtures `k-*`).
    pub mod scenarios_k {
        include!("engine/scenarios_k.rs");
    }
}

/// Scenarios and oracle on SlateDB 0.15 (manifest format version 1 for unsegmented databases).
#[cfg(feature = "slatedb-015")]
pub mod slatedb_015 {
    use slatedb_015 as sdb;

    /// The calls whose API differs between SlateDB versions.
    pub mod compat {
        include!("engine/compat_015.rs");
    }

    /// What SlateDB 0.15 reads in a store.
    pub mod oracle {
        include!("engine/oracle.rs");
    }

    /// Scenarios run with SlateDB 0.15.
    pub mod scenarios {
        include!("engine/scenarios.rs");
    }
}
