//! `fts-assistant`: parses the command line and hands over to the library.

use clap::{Parser, Subcommand};

use fts_assistant::cli::{self, interact::As};
use fts_assistant::config::Config;
use fts_assistant::store::Store;
use fts_assistant::telemetry;

#[derive(Parser)]
#[command(
    version,
    about = "Discord bot and public leaderboard for a Roobet affiliate community"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// The whole product with no configuration: dev-signed interactions,
    /// embedded SQLite, tips dry-run.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Register the slash commands with Discord (bulk overwrite).
    RegisterCommands {
        /// Print the commands' JSON instead of calling Discord.
        #[arg(long)]
        dry_run: bool,
    },
    /// Load past months' community totals from the affiliate API, for
    /// `/monthtomonth` and `/api/wagers` before the service ran.
    Backfill {
        /// How many months before the current one (1-120).
        #[arg(long, default_value_t = 12)]
        months: u32,
    },
    /// Take over from the original Python bot: import what it paid and
    /// posted from its PostgreSQL database (read-only), in one transaction.
    /// Safe to run again: a second run imports nothing new.
    ImportLegacy {
        /// The original bot's database URL (postgres://…).
        #[arg(long)]
        from: String,
        /// Print what would be imported and what the first poll cycle would
        /// pay, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Without the original's database: count every milestone tier reached
    /// so far this month as paid (no tips) and the goals reached so far as
    /// announced.
    Baseline {
        /// Print what would be recorded and what the first poll cycle would
        /// pay, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Sign an interaction with the local dev keypair and send it to a
    /// running server, e.g. `interact /mywager username:alice`.
    Interact {
        /// `/command` or `ping`.
        command: String,
        /// Options as `name:value`.
        options: Vec<String>,
        /// Base URL of the running server.
        #[arg(long, default_value = "http://localhost:8080")]
        url: String,
        /// Who is calling: member, admin or role:<id>.
        #[arg(long = "as", default_value = "member")]
        caller: As,
        /// Deliver the same signed request this many times (replay check).
        #[arg(long, default_value_t = 1)]
        times: u32,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    telemetry::init(config.log_format, &config.rust_log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => cli::serve::serve(config).await,
        Command::Demo => cli::serve::demo(config).await,
        Command::Migrate => {
            let store = Store::open(&config.database_url).await?;
            println!("migrations applied ({})", store.kind().name());
            Ok(())
        }
        Command::RegisterCommands { dry_run } => {
            cli::register::register_commands(&config, dry_run).await
        }
        Command::Backfill { months } => {
            let report =
                cli::backfill::backfill(&config, &fts_assistant::clock::SystemClock, months)
                    .await?;
            println!(
                "stored {} month(s): {}; kept {} already final",
                report.stored.len(),
                report.stored.join(", "),
                report.kept.len()
            );
            Ok(())
        }
        Command::ImportLegacy { from, dry_run } => {
            let report = cli::legacy::import_legacy(
                &config,
                &fts_assistant::clock::SystemClock,
                &from,
                dry_run,
            )
            .await?;
            print!("{}", report.render());
            Ok(())
        }
        Command::Baseline { dry_run } => {
            let report =
                cli::cutover::baseline(&config, &fts_assistant::clock::SystemClock, dry_run)
                    .await?;
            print!("{}", report.render());
            Ok(())
        }
        Command::Interact {
            command,
            options,
            url,
            caller,
            times,
        } => {
            let interaction = cli::interact::build(&command, &options, &caller)?;
            cli::interact::send(&url, &interaction, times).await
        }
    }
}
