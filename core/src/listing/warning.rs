//! Signs that a listing may not show the whole store, or not exactly: each makes verdicts that
//! rely on the listing inconclusive rather than "object missing".

use serde::Serialize;

/// Something that makes a listing less than a complete, exact picture of the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListingWarning {
    /// The tool said the listing stops early (`IsTruncated`, `NextToken`, …).
    Truncated {
        /// The listing file.
        source: String,
        /// The signal seen.
        signal: String,
    },
    /// The object count is a whole number of result pages, as when a CLI stops at its
    /// default page limit (`az storage blob list` returns 5000 results unless told otherwise).
    PossiblyTruncated {
        /// The listing file.
        source: String,
        /// Objects read.
        count: u64,
        /// The page size it is a multiple of.
        page_size: u64,
    },
    /// A footer states a different number of objects than the lines read.
    CountMismatch {
        /// The listing file.
        source: String,
        /// What the footer says.
        declared: u64,
        /// Objects read.
        read: u64,
    },
    /// The tool always ends its listing with a footer, and this one has none: it was cut off.
    MissingFooter {
        /// The listing file.
        source: String,
        /// The footer expected.
        footer: String,
    },
    /// Sizes are rounded (`--human-readable`, `mc ls` text): only `0 B` and byte-exact sizes are
    /// known, so neither fences nor size checks can be trusted.
    LossySizes {
        /// The listing file.
        source: String,
        /// Objects whose size is rounded.
        objects: u64,
    },
    /// Modification times were printed without a time zone and read as UTC; age-based rules
    /// (GC's `min_age`) cannot rely on them. Give the zone the listing was made in.
    NoTimeZone {
        /// The listing file.
        source: String,
    },
    /// The format has no way to show that the tool stopped early (`az storage blob list`
    /// prints its continuation marker on stderr; `--query 'Contents[]'` drops `NextToken`;
    /// `rclone lsl --max-depth` leaves no trace): complete only if the user says so
    /// (`--listing-complete`).
    Unverifiable {
        /// The listing file.
        source: String,
        /// Why the output cannot show truncation.
        why: String,
    },
    /// A listing names a column this slatecheck does not know (an S3 Inventory `fileSchema`
    /// field newer than its list): what the rows mean may depend on it (a new kind of version
    /// or deletion flag), so the listing is not taken as an exact picture of the store.
    UnknownColumn {
        /// The listing file.
        source: String,
        /// The column's name.
        column: String,
    },
    /// An S3 Inventory manifest names data files that were not provided.
    MissingInventoryFiles {
        /// The manifest.json.
        source: String,
        /// The data files not read.
        missing: Vec<String>,
    },
}

impl ListingWarning {
    /// A stable, kebab-case identifier.
    pub fn code(&self) -> &'static str {
        match self {
            ListingWarning::Truncated { .. } => "truncated",
            ListingWarning::PossiblyTruncated { .. } => "possibly-truncated",
            ListingWarning::CountMismatch { .. } => "count-mismatch",
            ListingWarning::MissingFooter { .. } => "missing-footer",
            ListingWarning::LossySizes { .. } => "lossy-sizes",
            ListingWarning::NoTimeZone { .. } => "no-time-zone",
            ListingWarning::MissingInventoryFiles { .. } => "missing-inventory-files",
            ListingWarning::Unverifiable { .. } => "unverifiable",
            ListingWarning::UnknownColumn { .. } => "unknown-column",
        }
    }

    /// Whether the listing may be missing objects (as opposed to having imprecise fields).
    pub fn may_be_incomplete(&self) -> bool {
        !matches!(
            self,
            ListingWarning::LossySizes { .. } | ListingWarning::NoTimeZone { .. }
        )
    }

    /// One line for people.
    pub fn message(&self) -> String {
        match self {
            ListingWarning::Truncated { source, signal } => {
                format!("{source}: the listing is truncated ({signal}); list again without a page limit")
            }
            ListingWarning::PossiblyTruncated { source, count, page_size } => format!(
                "{source}: {count} objects is a multiple of the {page_size}-result page size; the tool may have stopped early (for az, pass --num-results \"*\")"
            ),
            ListingWarning::CountMismatch { source, declared, read } => {
                format!("{source}: the footer counts {declared} objects but {read} were listed")
            }
            ListingWarning::MissingFooter { source, footer } => {
                format!("{source}: no `{footer}` footer: the listing looks cut off")
            }
            ListingWarning::LossySizes { source, objects } => format!(
                "{source}: {objects} sizes are rounded (human-readable); list again with exact byte sizes"
            ),
            ListingWarning::NoTimeZone { source } => format!(
                "{source}: times have no time zone and were read as UTC; give the listing's zone (--tz) for age-based checks"
            ),
            ListingWarning::Unverifiable { source, why } => format!(
                "{source}: this output cannot show whether the listing was cut short ({why}); if the command listed everything and exited 0, say so with --listing-complete"
            ),
            ListingWarning::UnknownColumn { source, column } => format!(
                "{source}: column `{column}` is not one slatecheck knows, so it cannot tell what the rows mean; list without it, or check with a slatecheck release that knows it"
            ),
            ListingWarning::MissingInventoryFiles { source, missing } => format!(
                "{source}: {} inventory data file(s) not provided: {}",
                missing.len(),
                missing.join(", ")
            ),
        }
    }
}

/// Takes the user's word that the listing files are complete (`--listing-complete`): drops the
/// warnings of formats that cannot show truncation, and only those.
pub fn assume_complete(warnings: &mut Vec<ListingWarning>) {
    warnings.retain(|warning| !matches!(warning, ListingWarning::Unverifiable { .. }));
}
