//! No input may panic the manifest decoder: random bytes, real manifests with bytes flipped,
//! cut or inserted, and mangled slatedb-cli JSON all end in a value or in a one-line error that
//! names the file.

mod common;

use common::mutate::{apply, mutation};
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
        assert!(
            text.starts_with(NAME),
            "error does not name the file: {text}"
        );
        assert!(!text.contains('\n'), "error is not one line: {text:?}");
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
    let message = |bytes: &[u8]| {
        decode_manifest_file(NAME, bytes, None)
            .expect_err("invalid")
            .to_string()
    };
    assert_eq!(
        message(b""),
        format!(
            "{NAME}: empty manifest: 0 byte(s), a manifest starts with a 2-byte format version"
        )
    );
    assert_eq!(
        message(&[0, 3, 1, 2, 3, 4]),
        format!("{NAME}: unsupported manifest format version 3 (supported: 1, 2)")
    );
    assert!(message(&[0, 1, 9])
        .starts_with(&format!("{NAME}: malformed format version 1 FlatBuffer: ")));
    assert!(message(b"{\"id\": 1}").starts_with(&format!(
        "{NAME}: not slatedb-cli manifest JSON at line 1, column 1: "
    )));
}
