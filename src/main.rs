fn main() -> std::process::ExitCode {
    fairfile::cli::main()
}
