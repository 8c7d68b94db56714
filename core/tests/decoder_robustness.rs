//! No input may panic the manifest decoder: random bytes, real manifests with bytes flipped,
//! cut or inserted, and mangled slatedb-cli JSON all end in a value or in a one-line error that
//! names the file.

mod common;

use proptest::prelude::*;
use slatecheck_core::manifest::decode_manifest_file;
use std::sync::OnceLock;

const NAME: &str = "db/manifest/00000000000000000007.manifest";

/// Real manifests of both format versions, to mutate.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        ["v1", "v2"]
            .iter()
            .flat_map(|set| common::fixture_stores(set))
            .flat_map(|store| common::manifest_objects(&store.join("main")))
            .map(|(_, bytes)| bytes)
            .collect()
    })
}

fn check_outcome(bytes: &[u8]) {
    if let Err(err) = decode_manifest_file(NAME, bytes, None) {
        let text = err.to_string();
        assert!(text.starts_with(NAME), "error does not name the file: {text}");
        assert!(!text.contains('\n'), "error is not one line: {text:?}");
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Truncate { len: usize },
    Insert { at: usize, byte: u8 },
    Overwrite { at: usize, word: u32 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        (any::<usize>(), any::<u32>()).prop_map(|(at, word)| Mutation::Overwrite { at, word }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(version in 0u16..4, body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = version.to_be_bytes().to_vec();
        bytes.extend(body);
        check_outcome(&bytes);
    }

    #[test]
    fn mutated_real_manifests_never_panic(
        seed in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let mut bytes = seeds[seed.index(seeds.len())].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        check_outcome(&bytes);
    }

    #[test]
    fn mangled_json_never_panics(
        seed in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let manifest = &decode_manifest_file(NAME, &seeds[seed.index(seeds.len())], None)
            .expect("seed decodes")[0]
            .manifest;
        let mut bytes = serde_json::to_vec(&slatecheck_core::manifest::to_slatedb_json(manifest)).expect("json");
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        check_outcome(&bytes);
    }
}

#[test]
fn short_and_unknown_inputs_get_the_slatedb_error_classes() {
    let message = |bytes: &[u8]| decode_manifest_file(NAME, bytes, None).expect_err("invalid").to_string();
    assert_eq!(
        message(b""),
        format!("{NAME}: empty manifest: 0 byte(s), a manifest starts with a 2-byte format version")
    );
    assert_eq!(
        message(&[0, 3, 1, 2, 3, 4]),
        format!("{NAME}: unsupported manifest format version 3 (supported: 1, 2)")
    );
    assert!(message(&[0, 1, 9]).starts_with(&format!("{NAME}: malformed format version 1 FlatBuffer: ")));
    assert!(message(b"{\"id\": 1}").starts_with(&format!("{NAME}: not slatedb-cli manifest JSON at line 1, column 1: ")));
}
