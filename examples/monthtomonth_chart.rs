//! Writes `docs/monthtomonth-example.png`, the picture `/monthtomonth`
//! sends, from made-up figures: `cargo run --example monthtomonth_chart`.
//! Optional arguments: the number of months (2-24, default 12) and the
//! output path.

use fts_assistant::chart::{render_month_to_month, MonthBar, Projected};
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::period::MonthPeriod;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let months: usize = args.next().map_or(Ok(12), |a| a.parse())?;
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/docs/monthtomonth-example.png").to_string()
    });
    let shape = [
        182_400, 164_900, 171_250, 203_800, 236_100, 219_700, 248_300, 301_900, 287_450, 322_600,
        356_200, 241_300,
    ];
    let mut month = MonthPeriod::new(2026, 11)?;
    for _ in 1..months {
        month = month.previous();
    }
    let mut bars = Vec::new();
    for i in 0..months {
        let last = i + 1 == months;
        let total = shape[(i + shape.len() - months % shape.len()) % shape.len()];
        let weighted = total * 38 / 100;
        bars.push(MonthBar {
            month,
            total: Cents::from_dollars(total),
            weighted: Cents::from_dollars(weighted),
            projected: last.then_some(Projected {
                total: Cents::from_dollars(total * 30 / 22),
                weighted: Cents::from_dollars(weighted * 30 / 22),
            }),
        });
        month = month.next();
    }
    std::fs::write(&path, render_month_to_month(&bars)?)?;
    println!("wrote {path}");
    Ok(())
}
