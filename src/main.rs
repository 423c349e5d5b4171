use clap::{CommandFactory, Parser};
use lambdastat::check;
use lambdastat::cli::{Cli, Command};
use lambdastat::report::{self, Outcome};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: lambdastat::memory::HugePageAllocator = lambdastat::memory::HugePageAllocator;

/// mimalloc's options, set before anything is allocated: an `.init_array` entry of a lower number
/// than mimalloc's own start-up (`constructor(101)`) runs first (ELF only; elsewhere its defaults).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00100"]
static SMALL_ALLOCATOR_OPTIONS: extern "C" fn() = lambdastat::memory::small_allocator_options;

/// Exit codes: 0 clean; 1 `report` wrote its reports but inputs had problems
/// (an unreadable file, or skipped lines under --strict), or a `check` rule
/// failed; 2 nothing done (usage or fatal error).
fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Report(args) => report::run(args),
        Command::Check(args) => check::run(args).map(|ok| if ok { Outcome::Clean } else { Outcome::InputProblems }),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "lambdastat", &mut std::io::stdout());
            Ok(Outcome::Clean)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map(|()| Outcome::Clean)
            .map_err(anyhow::Error::from),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::InputProblems) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            lambdastat::say!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
