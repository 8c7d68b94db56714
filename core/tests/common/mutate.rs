//! Random damage to real inputs: flipped, cut, inserted and overwritten bytes.

use proptest::prelude::*;

/// One change to a byte string.
#[derive(Debug, Clone)]
pub enum Mutation {
    Flip { at: usize, mask: u8 },
    Truncate { len: usize },
    Insert { at: usize, byte: u8 },
    Overwrite { at: usize, word: u32 },
}

/// Any mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        (any::<usize>(), any::<u32>()).prop_map(|(at, word)| Mutation::Overwrite { at, word }),
    ]
}

/// Applies one mutation (positions wrap around the length).
pub fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match *mutation {
        Mutation::Flip { at, mask } => {
            let at = at % bytes.len();
            bytes[at] ^= mask;
        }
        Mutation::Truncate { len } => bytes.truncate(len % bytes.len()),
        Mutation::Insert { at, byte } => {
            let at = at % (bytes.len() + 1);
            bytes.insert(at, byte);
        }
        Mutation::Overwrite { at, word } => {
            let at = at % bytes.len();
            for (offset, byte) in word.to_le_bytes().into_iter().enumerate() {
                if let Some(slot) = bytes.get_mut(at + offset) {
                    *slot = byte;
                }
            }
        }
    }
}
