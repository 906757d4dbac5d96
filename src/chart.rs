//! The `/monthtomonth` picture: total and weighted wager per month as
//! grouped bars, the current month's projection drawn as a lighter bar with
//! a dashed outline on top of what is already wagered.
//!
//! Drawn with plotters into memory and encoded as PNG here, with DejaVu Sans
//! compiled into the binary: the container has no system fonts, and a chart
//! must look the same on every machine.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::domain::money::Cents;
use crate::domain::period::MonthPeriod;

/// DejaVu Sans (Bitstream Vera licence, see `static/fonts/`).
static FONT: &[u8] = include_bytes!("../static/fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "sans-serif";

/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 600;
/// Width of a chart of up to 12 months; longer series get [`WIDE_WIDTH`].
pub const WIDTH: u32 = 1000;
/// Width of a chart of more than 12 months, so labels stay readable.
pub const WIDE_WIDTH: u32 = 1400;

const TOTAL_COLOUR: RGBColor = RGBColor(88, 101, 242);
const WEIGHTED_COLOUR: RGBColor = RGBColor(245, 166, 35);
const TEXT_COLOUR: RGBColor = RGBColor(40, 40, 48);
/// Horizontal units per month: bars are placed in hundredths of a slot.
const SLOT: i32 = 100;

/// One month of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthBar {
    /// The month.
    pub month: MonthPeriod,
    /// Total wager (so far, for the current month).
    pub total: Cents,
    /// Weighted wager (so far, for the current month).
    pub weighted: Cents,
    /// Month-end projection; only the current month has one, and only after
    /// its first 24 hours.
    pub projected: Option<Projected>,
}

/// A month-end projection of both figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Projected {
    /// Projected total wager.
    pub total: Cents,
    /// Projected weighted wager.
    pub weighted: Cents,
}

/// Why no chart could be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// No month to draw.
    #[error("no month to draw")]
    Empty,
    /// The embedded font did not load.
    #[error("the embedded font could not be loaded")]
    Font,
    /// plotters failed to draw.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Encode(#[from] png::EncodingError),
}

fn draw_error<E: std::fmt::Display>(error: E) -> ChartError {
    ChartError::Draw(error.to_string())
}

fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_ok()
            && register_font(FONT_FAMILY, FontStyle::Bold, FONT).is_ok()
    });
    ok.then_some(()).ok_or(ChartError::Font)
}

/// `$950`, `$12.5k`, `$1.25M`: axis labels that stay short.
pub fn compact_dollars(dollars: f64) -> String {
    let (value, suffix) = match dollars.abs() {
        d if d >= 1_000_000.0 => (dollars / 1_000_000.0, "M"),
        d if d >= 1_000.0 => (dollars / 1_000.0, "k"),
        _ => (dollars, ""),
    };
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("${text}{suffix}")
}

/// The label under a month: `Nov '26`, or `Nov` alone in long series
/// except for January and the first month, which carry the year.
fn month_label(month: MonthPeriod, index: usize, count: usize) -> String {
    let short = month.start().format("%b").to_string();
    if count <= 12 || index == 0 || month.month() == 1 {
        format!("{short} '{:02}", month.year().rem_euclid(100))
    } else {
        short
    }
}

/// Renders the chart as PNG bytes. Pure CPU work of a few milliseconds:
/// callers on the async runtime run it in `spawn_blocking`.
pub fn render_month_to_month(bars: &[MonthBar]) -> Result<Vec<u8>, ChartError> {
    let (first, last) = match (bars.first(), bars.last()) {
        (Some(first), Some(last)) => (first.month, last.month),
        _ => return Err(ChartError::Empty),
    };
    ensure_font()?;
    let width = if bars.len() > 12 { WIDE_WIDTH } else { WIDTH };
    let mut rgb = vec![255u8; width as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let title = if first == last {
            format!("Community wager · {first}")
        } else {
            format!("Community wager per month · {first} – {last}")
        };
        draw(&root, bars, &title)?;
        root.present().map_err(draw_error)?;
    }
    encode_png(&rgb, width, HEIGHT)
}

fn draw(
    root: &DrawingArea<BitMapBackend<'_>, Shift>,
    bars: &[MonthBar],
    title: &str,
) -> Result<(), ChartError> {
    let count = bars.len();
    let slots = i32::try_from(count).unwrap_or(i32::MAX / SLOT);
    let highest = bars
        .iter()
        .flat_map(|b| {
            let projected = b.projected.map_or(Cents::ZERO, |p| p.total.max(p.weighted));
            [b.total, b.weighted, projected]
        })
        .max()
        .unwrap_or(Cents::ZERO);
    // Headroom above the tallest bar keeps the legend clear of the bars.
    let y_max = (highest.as_dollars_f64() * 1.3).max(100.0);

    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 26).into_font().color(&TEXT_COLOUR))
        .margin(24)
        .x_label_area_size(44)
        .y_label_area_size(84)
        .build_cartesian_2d(-SLOT / 2..slots * SLOT - SLOT / 2, 0f64..y_max)
        .map_err(draw_error)?;
    let label_of = |x: &i32| -> String {
        if x.rem_euclid(SLOT) != 0 {
            return String::new();
        }
        usize::try_from(x / SLOT)
            .ok()
            .and_then(|i| bars.get(i).map(|b| month_label(b.month, i, count)))
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(count)
        .x_label_formatter(&label_of)
        .y_labels(7)
        .y_label_formatter(&|y| compact_dollars(*y))
        .y_desc("US dollars")
        .label_style((FONT_FAMILY, 16).into_font().color(&TEXT_COLOUR))
        .axis_desc_style((FONT_FAMILY, 15).into_font().color(&TEXT_COLOUR))
        .bold_line_style(RGBColor(220, 220, 226))
        .light_line_style(RGBColor(244, 244, 248))
        .max_light_lines(1)
        .axis_style(RGBColor(150, 150, 160))
        .draw()
        .map_err(draw_error)?;

    let spans = |i: i32| ((i * SLOT - 42, i * SLOT - 3), (i * SLOT + 3, i * SLOT + 42));
    let solid = |value: Cents, (from, to): (i32, i32), colour: RGBColor| {
        Rectangle::new([(from, 0.0), (to, value.as_dollars_f64())], colour.filled())
    };
    chart
        .draw_series(
            (0..slots)
                .zip(bars)
                .map(|(i, b)| solid(b.total, spans(i).0, TOTAL_COLOUR)),
        )
        .map_err(draw_error)?
        .label("Total wager")
        .legend(|(x, y)| Rectangle::new([(x, y - 7), (x + 16, y + 7)], TOTAL_COLOUR.filled()));
    chart
        .draw_series(
            (0..slots)
                .zip(bars)
                .map(|(i, b)| solid(b.weighted, spans(i).1, WEIGHTED_COLOUR)),
        )
        .map_err(draw_error)?
        .label("Weighted wager")
        .legend(|(x, y)| Rectangle::new([(x, y - 7), (x + 16, y + 7)], WEIGHTED_COLOUR.filled()));

    let projections: Vec<(i32, &MonthBar, Projected)> = (0..slots)
        .zip(bars)
        .filter_map(|(i, b)| b.projected.map(|p| (i, b, p)))
        .collect();
    let dash = y_max / 70.0;
    let mut projected_series = Vec::new();
    for &(i, bar, projected) in &projections {
        let (total_span, weighted_span) = spans(i);
        for (span, so_far, end, colour) in [
            (total_span, bar.total, projected.total, TOTAL_COLOUR),
            (
                weighted_span,
                bar.weighted,
                projected.weighted,
                WEIGHTED_COLOUR,
            ),
        ] {
            if end > so_far {
                projected_series.extend(projection_bar(span, so_far, end, colour, dash));
            }
        }
    }
    let legend = match projections.first() {
        Some((_, bar, projected)) => format!(
            "Projected {} end: {} total, {} weighted",
            bar.month.start().format("%B"),
            compact_dollars(projected.total.as_dollars_f64()),
            compact_dollars(projected.weighted.as_dollars_f64())
        ),
        None => "Projected month end (after the first 24 hours)".to_string(),
    };
    chart
        .draw_series(projected_series)
        .map_err(draw_error)?
        .label(legend)
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 7), (x + 16, y + 7)],
                TOTAL_COLOUR.mix(0.3).filled(),
            )
        });

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT_FAMILY, 15).into_font().color(&TEXT_COLOUR))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 210))
        .margin(12)
        .draw()
        .map_err(draw_error)?;
    Ok(())
}

/// A light bar from `so_far` to `end` with a dashed outline: visibly a
/// guess, not money already wagered.
fn projection_bar<DB: DrawingBackend>(
    (from, to): (i32, i32),
    so_far: Cents,
    end: Cents,
    colour: RGBColor,
    dash: f64,
) -> Vec<DynElement<'static, DB, (i32, f64)>> {
    let (low, high) = (so_far.as_dollars_f64(), end.as_dollars_f64());
    let line = ShapeStyle::from(&colour).stroke_width(2);
    let mut out =
        vec![Rectangle::new([(from, low), (to, high)], colour.mix(0.28).filled()).into_dyn()];
    let mut y = low;
    while y < high {
        let top = (y + dash).min(high);
        for x in [from, to] {
            out.push(PathElement::new(vec![(x, y), (x, top)], line).into_dyn());
        }
        y += dash * 2.0;
    }
    let mut x = from;
    while x < to {
        let right = (x + 6).min(to);
        out.push(PathElement::new(vec![(x, high), (right, high)], line).into_dyn());
        x += 12;
    }
    out
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: u32) -> MonthPeriod {
        MonthPeriod::new(2026, m).unwrap()
    }

    #[test]
    fn axis_labels_are_short_dollar_amounts() {
        assert_eq!(compact_dollars(0.0), "$0");
        assert_eq!(compact_dollars(950.0), "$950");
        assert_eq!(compact_dollars(12_500.0), "$12.5k");
        assert_eq!(compact_dollars(100_000.0), "$100k");
        assert_eq!(compact_dollars(1_250_000.0), "$1.25M");
    }

    #[test]
    fn long_series_label_the_year_only_where_it_changes() {
        assert_eq!(month_label(month(11), 0, 6), "Nov '26");
        assert_eq!(month_label(month(11), 3, 18), "Nov");
        assert_eq!(month_label(month(1), 5, 18), "Jan '26");
    }

    #[test]
    fn a_chart_is_a_png_of_the_documented_size() {
        let bars: Vec<MonthBar> = (1..=3)
            .map(|m| MonthBar {
                month: month(m),
                total: Cents::from_dollars(10_000 * i64::from(m)),
                weighted: Cents::from_dollars(4_000 * i64::from(m)),
                projected: (m == 3).then_some(Projected {
                    total: Cents::from_dollars(45_000),
                    weighted: Cents::from_dollars(18_000),
                }),
            })
            .collect();
        let png = render_month_to_month(&bars).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(png.as_slice());
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
        assert!(matches!(render_month_to_month(&[]), Err(ChartError::Empty)));
    }
}
