#!/bin/sh
# Trunk post_build hook: shrinks the module with wasm-opt when scripts/setup-web installed it
# (npm binaryen; Debian's older wasm-opt breaks wasm-bindgen's output), then embeds it in
# slatecheck-web_bg.wasm.js as base64, which boot.js instantiates: the page never fetches it.
set -eu
stage="$TRUNK_STAGING_DIR"
wasm="$stage/slatecheck-web_bg.wasm"
opt="$TRUNK_SOURCE_DIR/../tools/npm/node_modules/.bin/wasm-opt"
if [ "${TRUNK_PROFILE:-}" = release ] && [ -x "$opt" ]; then
    "$opt" -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-multivalue "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
fi
{
    printf '// slatecheck-web_bg.wasm, base64: loaded as a script because the page may not fetch.\n'
    printf 'export const wasmBase64 = "'
    base64 -w0 "$wasm"
    printf '";\n'
} > "$wasm.js"
rm "$wasm"
