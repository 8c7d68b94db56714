fn main() {
    // The worker runs this same module (see worker.js); only the page mounts the app.
    if web_sys::window().is_none() {
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(slatecheck_web::app::App);
}
