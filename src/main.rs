fn main() {
    console_error_panic_hook::set_once();
    // Mounts nothing: index.html calls `mount`, the console uses `mount` or `<support-center>`.
    support_console::embed::register_element();
}
