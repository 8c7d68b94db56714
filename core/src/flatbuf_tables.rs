//! What SlateDB's FlatBuffer readers share (`manifest/flatbuf.rs` for manifests and
//! `compactions/` objects, `sst/flatbuf.rs` for SST footers): the verifier limits, a macro
//! declaring a table type from its slots and verifier, and the accessors over verified tables.
//! Written from the format facts with the `flatbuffers` crate's `Table` API; no generated code.
//!
//! Safety model: a table type declared with [`flatbuffer_table!`] can only be reached through
//! [`flatbuffers::root_with_opts`], whose verifier walks every field listed in the table's
//! `verify` clause, at that slot and with that type, before any accessor runs. Accessors read
//! exactly those slots with exactly those types, so the `unsafe` reads of `Table::get` are
//! bounds- and type-checked by construction. This module and the two that declare tables with
//! it are the only ones of the crate with `unsafe`.
#![allow(unsafe_code)]

use flatbuffers::{Follow, ForwardsUOffset, Table, VOffsetT, Vector, VerifierOptions};

/// Verifier limits. SlateDB raises the table limit for big databases; here the `manifest-tables`
/// limit bounds it, and the apparent size (every byte range the verifier visits, counted once
/// per visit) is capped at a multiple of the buffer: an honest buffer visits each table once
/// (plus its shared vtable), while a hostile one that points many offsets at one table or byte
/// vector would make decoding copy it each time.
pub(crate) fn verifier_options(max_tables: u64, buffer_len: usize) -> VerifierOptions {
    VerifierOptions {
        max_tables: usize::try_from(max_tables).unwrap_or(usize::MAX),
        max_apparent_size: buffer_len
            .saturating_mul(APPARENT_SIZE_FACTOR)
            .saturating_add(1 << 20)
            .min(1 << 31),
        ..Default::default()
    }
}

/// How many times its own size a manifest's verified ranges may add up to (see
/// [`verifier_options`]).
pub(crate) const APPARENT_SIZE_FACTOR: usize = 8;

/// A vector of tables.
pub(crate) type Tables<'a, T> = Vector<'a, ForwardsUOffset<T>>;

/// Declares a table type: its field slots (vtable offsets) and the verifier over them.
macro_rules! flatbuffer_table {
    (
        $(#[$doc:meta])*
        $name:ident { $($slot:ident = $voffset:literal),* $(,)? }
        verify($t:ident) $verify:expr
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub(crate) struct $name<'a>(::flatbuffers::Table<'a>);

        #[allow(dead_code)]
        impl<'a> $name<'a> {
            $(const $slot: ::flatbuffers::VOffsetT = $voffset;)*
        }

        impl<'a> ::flatbuffers::Follow<'a> for $name<'a> {
            type Inner = Self;
            unsafe fn follow(buf: &'a [u8], loc: usize) -> Self {
                // SAFETY: forwarded contract of `Follow::follow`: `loc` points at a table.
                Self(unsafe { ::flatbuffers::Table::new(buf, loc) })
            }
        }

        impl ::flatbuffers::Verifiable for $name<'_> {
            fn run_verifier(
                v: &mut ::flatbuffers::Verifier,
                pos: usize,
            ) -> Result<(), ::flatbuffers::InvalidFlatbuffer> {
                let $t = v.visit_table(pos)?;
                $verify.finish();
                Ok(())
            }
        }
    };
}

pub(crate) use flatbuffer_table;

// Accessors over a verified table. Each is called only with a slot and type its table's
// verifier checked (see the module docs).
pub(crate) fn scalar<'a, T>(table: &Table<'a>, slot: VOffsetT, default: T) -> T
where
    T: Follow<'a, Inner = T> + Copy + 'a,
{
    // SAFETY: the slot was verified to hold a `T` (or to be absent).
    unsafe { table.get::<T>(slot, Some(default)) }.unwrap_or(default)
}

pub(crate) fn optional_scalar<'a, T>(table: &Table<'a>, slot: VOffsetT) -> Option<T>
where
    T: Follow<'a, Inner = T> + 'a,
{
    // SAFETY: as for `scalar`.
    unsafe { table.get::<T>(slot, None) }
}

pub(crate) fn child<'a, T>(table: &Table<'a>, slot: VOffsetT) -> Option<T>
where
    T: Follow<'a, Inner = T> + 'a,
{
    // SAFETY: the slot was verified to hold an offset to a verified `T` table (or to be absent).
    unsafe { table.get::<ForwardsUOffset<T>>(slot, None) }
}

pub(crate) fn children<'a, T>(table: &Table<'a>, slot: VOffsetT) -> Option<Tables<'a, T>>
where
    T: Follow<'a> + 'a,
{
    // SAFETY: the slot was verified to hold a vector of offsets to verified `T` tables.
    unsafe { table.get::<ForwardsUOffset<Tables<'a, T>>>(slot, None) }
}

pub(crate) fn bytes<'a>(table: &Table<'a>, slot: VOffsetT) -> Option<&'a [u8]> {
    // SAFETY: the slot was verified to hold a `[ubyte]` vector.
    unsafe { table.get::<ForwardsUOffset<Vector<'a, u8>>>(slot, None) }.map(|v| v.bytes())
}

pub(crate) fn string<'a>(table: &Table<'a>, slot: VOffsetT) -> Option<&'a str> {
    // SAFETY: the slot was verified to hold a UTF-8 string.
    unsafe { table.get::<ForwardsUOffset<&'a str>>(slot, None) }
}

pub(crate) type U8s<'a> = ForwardsUOffset<Vector<'a, u8>>;
pub(crate) type Str<'a> = ForwardsUOffset<&'a str>;
pub(crate) type Ref<T> = ForwardsUOffset<T>;
pub(crate) type Refs<'a, T> = ForwardsUOffset<Tables<'a, T>>;
