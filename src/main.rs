fn main() -> std::process::ExitCode {
    opendraw::cli::run()
}
