fn main() -> std::process::ExitCode {
    opendraw::allocator::release_large_allocations();
    opendraw::cli::run()
}
