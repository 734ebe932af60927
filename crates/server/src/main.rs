//! `support-server`: reads the configuration, sets up logging, then serves (the default), migrates,
//! or runs an operator command (`cli`).

use clap::Parser;
use support_server::config::MailCommand;
use support_server::{AppState, Cli, Command, cli, serve};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Cli::parse();
    let command = args.command.unwrap_or(Command::Serve);
    // Operator commands print their results on stdout; their logs must not mix in.
    let (default_filter, writer) = match command {
        Command::Upgrades { .. }
        | Command::Tickets { .. }
        | Command::Mail { .. }
        | Command::Attachments { .. }
        | Command::BenchData(_) => ("warn", BoxMakeWriter::new(std::io::stderr)),
        _ => (
            "info,sqlx=warn,tower_http=info",
            BoxMakeWriter::new(std::io::stdout),
        ),
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    if std::env::var("SUPPORT_LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .json()
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .init();
    }

    match command {
        // Needs no configuration, database or logs: the document comes from the code alone.
        Command::Openapi => {
            print!("{}", support_server::http::openapi::document_json());
            Ok(())
        }
        Command::Serve => serve(AppState::new(args.config).await?).await,
        Command::Migrate => {
            AppState::new(args.config).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Upgrades { command } => operator(cli::upgrades::run(&args.config, command).await),
        Command::Tickets { command } => operator(cli::tickets::run(&args.config, command).await),
        Command::Attachments { command } => {
            operator(cli::attachments::run(&args.config, command).await)
        }
        Command::BenchData(bench) => operator(cli::bench_data::run(args.config, bench).await),
        Command::Mail {
            command: MailCommand::Ingest,
        } => {
            let code = cli::mail::ingest(&args.config, std::io::stdin().lock()).await;
            std::process::exit(code)
        }
    }
}

/// An operator reads one sentence, not a backtrace (RUST_BACKTRACE may be set), and a refused
/// command exits non-zero.
fn operator(outcome: anyhow::Result<()>) -> anyhow::Result<()> {
    if let Err(e) = outcome {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
    Ok(())
}
