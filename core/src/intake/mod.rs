//! Intake: turning a heap of files a user dropped (a bundle, manifest objects, listings in any
//! format, a copied store folder) into a check's inputs, without being told which is which.
//!
//! The web page hands every file here; so can any other front end. [`sniff`] tells what a file
//! is from its name and first bytes; an [`Assembly`] reads the files into listings per store
//! and decoded manifests per root; [`root_choices`] lists what an action can name.

mod assembly;
mod choices;
mod describe;
mod sniff;

pub use assembly::{Assembly, IntakeError, ListingStream, Store};
pub use choices::{root_choices, CheckpointChoice, RootChoice};
pub use describe::{objects_by_source, plan_folder, store_for_listing_name, FolderPlan};
pub use sniff::{sniff, FileKind, SNIFF_WINDOW};
