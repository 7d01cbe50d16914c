use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = hotline::cli::Cli::parse();
    match hotline::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
