// The page's worker: the page sends its compiled WebAssembly.Module first (so nothing is fetched
// twice, or at all), then requests; `worker_main` takes over the message handler.
import init, { worker_main } from "./slatecheck-web.js";

self.onmessage = async (event) => {
    self.onmessage = null;
    await init({ module_or_path: event.data });
    worker_main();
};
