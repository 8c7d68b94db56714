// The page's workers: the page sends its compiled WebAssembly.Module first (so nothing is
// fetched twice, or at all), then requests. The reading worker (`worker_main`) starts a second
// one named "hasher" (`hasher_main`) that takes the files' SHA-256 beside it.
import init, { worker_main, hasher_main } from "./slatecheck-web.js";

self.onmessage = async (event) => {
    self.onmessage = null;
    await init({ module_or_path: event.data });
    if (self.name === "hasher") {
        hasher_main();
    } else {
        worker_main();
    }
};
