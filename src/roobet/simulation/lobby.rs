//! The simulated lobby and population names, and the filter that picks games
//! out of it the way the real API reads `categories` and `gameIdentifiers`.

/// One game of the simulated lobby.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Game {
    /// Casino identifier used by `gameIdentifiers`.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// Category used by `categories`.
    pub category: &'static str,
    /// Share of wager counted as weighted wager (percent, RTP-based).
    pub weight_pct: i64,
    /// Cap of a single hit, in hundredths.
    pub max_multiplier_x100: i64,
}

const fn game(
    id: &'static str,
    title: &'static str,
    category: &'static str,
    weight_pct: i64,
    max_x: i64,
) -> Game {
    Game {
        id,
        title,
        category,
        weight_pct,
        max_multiplier_x100: max_x * 100,
    }
}

/// The lobby: slots, high-RTP slots at reduced weight, house games, live casino.
pub const GAMES: [Game; 9] = [
    game(
        "pragmatic:vs10bbbbrnd",
        "Big Bass Bonanza",
        "slots",
        100,
        2_100,
    ),
    game(
        "pragmatic:vs20olympgate",
        "Gates of Olympus",
        "slots",
        100,
        5_000,
    ),
    game(
        "hacksaw:wanted",
        "Wanted Dead or a Wild",
        "slots",
        100,
        12_500,
    ),
    game(
        "pragmatic:vs20fruitsw",
        "Sweet Bonanza",
        "slots",
        100,
        21_175,
    ),
    game(
        "playngo:1429uncharted",
        "1429 Uncharted Seas",
        "slots",
        50,
        1_000,
    ),
    game("netent:bloodsuckers", "Blood Suckers", "slots", 10, 900),
    game("housegames:dice", "Dice", "provably fair", 10, 9_900),
    game("housegames:crash", "Crash", "provably fair", 100, 100_000),
    game(
        "evolution:lightningroulette",
        "Lightning Roulette",
        "live casino",
        50,
        500,
    ),
];
pub(super) const N_GAMES: usize = GAMES.len();

pub(super) const NAMES: [&str; 40] = [
    "LuckyDuck",
    "Ace",
    "Zoë🎰",
    "SpinDoctor",
    "HighRoller88",
    "bonusbuyer",
    "MaxWinMike",
    "CrashTestDummy",
    "dicegod",
    "SlotSloth",
    "BigBassBoss",
    "OlympusZeus",
    "wanted_dead",
    "NeonNights",
    "ReelQueen",
    "gamblegecko",
    "Moonshot",
    "FreeSpinFiona",
    "TumbleTom",
    "x1000hunter",
    "CasualCarl",
    "NightOwl",
    "BetBaron",
    "ScatterCat",
    "wildwest",
    "RTPnerd",
    "lowkeyLiam",
    "MegawaysMia",
    "coinflipper",
    "PragmaticPete",
    "HacksawHank",
    "StickyWilds",
    "bankroll_ben",
    "AllInAlice",
    "GreenCandle",
    "Volatility",
    "retrigger",
    "Multiplier_Max",
    "SundaySpins",
    "Jörg_Glück",
];

/// Which games a request counts, parsed from its query parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GameFilter {
    categories: Option<Vec<String>>,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl GameFilter {
    /// Parses `categories` and `gameIdentifiers` the way the real API reads them.
    pub fn parse(categories: Option<&str>, game_identifiers: Option<&str>) -> Self {
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut filter = GameFilter {
            categories: categories.map(split),
            ..Default::default()
        };
        for id in game_identifiers.map(split).unwrap_or_default() {
            match id.strip_prefix('-') {
                Some(excluded) => filter.exclude.push(excluded.to_owned()),
                None => filter.include.push(id),
            }
        }
        filter
    }

    /// Whether `game` counts under this filter.
    pub fn allows(&self, game: &Game) -> bool {
        let category_ok = self
            .categories
            .as_ref()
            .is_none_or(|c| c.iter().any(|c| c == game.category));
        let include_ok = self.include.is_empty() || self.include.iter().any(|g| g == game.id);
        category_ok && include_ok && !self.exclude.iter().any(|g| g == game.id)
    }
}
