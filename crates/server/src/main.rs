use clap::Parser;
use support_server::{AppState, Cli, Command, serve};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    if std::env::var("SUPPORT_LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .json()
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    let state = AppState::new(cli.config).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(state).await,
        Command::Migrate => {
            tracing::info!("database is up to date");
            Ok(())
        }
    }
}
