// Starts the page from the module embedded in slatecheck-web_bg.wasm.js (written by
// embed-wasm.sh): the Content-Security-Policy forbids fetching it.
import init from "./slatecheck-web.js";
import { wasmBase64 } from "./slatecheck-web_bg.wasm.js";

const bytes = Uint8Array.fromBase64
    ? Uint8Array.fromBase64(wasmBase64)
    : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
await init({ module_or_path: bytes });
