fn main() {
    console_error_panic_hook::set_once();
    support_console::mount_standalone();
}
