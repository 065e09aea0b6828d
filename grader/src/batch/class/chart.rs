//! The class page's score distribution as an inline SVG bar chart: one bar per bucket of
//! [`ScoreBucket`]s, the count above each bar, the buckets' labels under them, a count
//! axis with whole-number ticks, and both axes titled. No script, no external asset: the
//! page's Content-Security-Policy allows neither.
//!
//! Bars sit on whole pixels with crisp edges, so their colour, [`BAR_COLOUR`], is exact in
//! a screenshot (the class page's browser test looks for it).

use super::summary::ScoreBucket;
use crate::report::sanitize::markup;
use std::fmt::Write;

/// The bars' fill; nothing else on the page has it.
pub const BAR_COLOUR: &str = "#2f6db5";

/// Left of the plot: the count axis's labels and title.
const LEFT: u32 = 56;
const TOP: u32 = 24;
/// The plot's height; the bars grow up from its bottom.
const PLOT_HEIGHT: u32 = 180;
/// Below the plot: the buckets' labels and the axis's title.
const BOTTOM: u32 = 52;
const RIGHT: u32 = 16;
/// Each bucket's slot, and its bar, centred in it.
const SLOT: u32 = 52;
const BAR: u32 = 38;

/// The chart of `buckets`.
pub fn render(buckets: &[ScoreBucket]) -> String {
    let slots = u32::try_from(buckets.len()).unwrap_or(0);
    let width = LEFT + slots * SLOT + RIGHT;
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let baseline = TOP + PLOT_HEIGHT;
    let most = buckets.iter().map(|bucket| bucket.count).max().unwrap_or(0);
    let (step, top) = scale(most);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg class=\"distribution\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"number of submissions by score, as a percentage of the maximum\">"
    );
    // Gridlines and the count axis's ticks.
    let mut tick = 0;
    while tick <= top {
        let y = baseline - height_of(tick, top);
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#e3e3e3\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"tick\">{tick}</text>",
            width - RIGHT,
            LEFT - 6,
            y + 4
        );
        tick += step;
    }
    for (index, bucket) in (0u32..).zip(buckets) {
        let slot_left = LEFT + index * SLOT;
        let centre = slot_left + SLOT / 2;
        let bar_height = height_of(bucket.count, top);
        if bar_height > 0 {
            let ids: Vec<String> = bucket.ids.iter().map(|id| markup(id)).collect();
            let _ = writeln!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{BAR}\" height=\"{bar_height}\" fill=\"{BAR_COLOUR}\" \
                 shape-rendering=\"crispEdges\"><title>{}: {}</title></rect>\
                 <text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" class=\"count\">{}</text>",
                slot_left + (SLOT - BAR) / 2,
                baseline - bar_height,
                markup(&bucket.label),
                ids.join(", "),
                baseline - bar_height - 4,
                bucket.count
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
            baseline + 16,
            markup(&bucket.label)
        );
    }
    // The axes, over the gridlines.
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{baseline}\" x2=\"{}\" y2=\"{baseline}\" stroke=\"#333\" \
         shape-rendering=\"crispEdges\"/>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{baseline}\" stroke=\"#333\" \
         shape-rendering=\"crispEdges\"/>",
        width - RIGHT
    );
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">score, % of the maximum</text>",
        LEFT + slots * SLOT / 2,
        height - 10
    );
    let _ = writeln!(
        svg,
        "<text transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">submissions</text>",
        TOP + PLOT_HEIGHT / 2
    );
    svg.push_str("</svg>");
    svg
}

/// The count axis: whole-number ticks, about five of them, and the top of the axis (a
/// multiple of the step, at least 1, so an empty class still has an axis).
fn scale(most: usize) -> (usize, usize) {
    let step = most.div_ceil(5).max(1);
    let top = most.div_ceil(step).max(1) * step;
    (step, top)
}

/// The height in pixels of `count` on an axis that ends at `top`, rounded to a whole
/// pixel; at least one pixel for a count above zero, so no bar vanishes.
fn height_of(count: usize, top: usize) -> u32 {
    if count == 0 || top == 0 {
        return 0;
    }
    let pixels = (count * PLOT_HEIGHT as usize + top / 2) / top;
    u32::try_from(pixels).unwrap_or(PLOT_HEIGHT).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(label: &str, ids: &[&str]) -> ScoreBucket {
        ScoreBucket {
            from_percent: 0,
            to_percent: 10,
            label: label.to_owned(),
            count: ids.len(),
            ids: ids.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn the_axis_has_whole_ticks_and_room_for_the_tallest_bar() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(1), (1, 1));
        assert_eq!(scale(5), (1, 5));
        assert_eq!(scale(7), (2, 8));
        assert_eq!(scale(12), (3, 12));
        assert_eq!(height_of(12, 12), PLOT_HEIGHT);
        assert_eq!(height_of(1, 400), 1, "a single submission still shows");
        assert_eq!(height_of(0, 5), 0);
    }

    #[test]
    fn a_bar_per_non_empty_bucket_with_its_count_label_and_escaped_ids() {
        let svg = render(&[
            bucket("0–9", &["<b>x</b>"]),
            bucket("10–19", &[]),
            bucket("100", &["ada", "bea"]),
        ]);
        assert_eq!(svg.matches("<rect ").count(), 2, "{svg}");
        assert_eq!(svg.matches(BAR_COLOUR).count(), 2);
        assert!(svg.contains(">10–19</text>"), "every bucket is labelled");
        assert!(svg.contains("<title>100: ada, bea</title>"));
        assert!(svg.contains("&lt;b&gt;x&lt;/b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(">score, % of the maximum</text>"));
        assert!(svg.contains(">submissions</text>"));
        // The tallest bar (2) fills the plot; the other is half of it.
        assert!(svg.contains(&format!("height=\"{PLOT_HEIGHT}\"")));
        assert!(svg.contains(&format!("height=\"{}\"", PLOT_HEIGHT / 2)));
    }
}
