//! The ladder diagram of one run, as SVG: the client and the server as two vertical lines
//! with time flowing down, and every datagram an arrow from its sender's line (when it
//! reached the relay) to its receiver's (when the relay handed it over).
//!
//! A dropped datagram stops half-way in a cross, with the cause as its tooltip; a corrupted
//! or cut copy is drawn in another colour with a mark; each copy of a duplicated datagram
//! is an arrow of its own; a datagram that repeats its sender's previous one byte for byte
//! gets a bracket on its sender's line from the earlier one, labelled with the time between
//! (the retransmission timer). TCP runs show each connection's opening, reads, closes and resets instead.
//!
//! Every element carries a CSS class (`drop`, `corrupt`, `duplicate`, `retransmission`,
//! `break`, `cap-note`), styled by [`STYLE`], which the page includes once. The picture
//! uses no ids, scripts or external references, so any number of ladders can share a page
//! that works offline.

mod arrows;
mod connections;
#[cfg(test)]
mod tests;
mod time_axis;

use crate::evidence::{Role, WireTrace};
use crate::report::sanitize::markup;
use crate::wording;
use arrows::{Arrow, Ending, Repeat, moment};
use std::collections::BTreeSet;
use std::fmt::Write;
use time_axis::{ROW_HEIGHT, TimeAxis};

/// How many datagrams (or TCP reads) a ladder draws at most: a flood's trace holds 20 000,
/// which no one reads as a picture; the rest are counted in a note.
pub const DRAWN_LIMIT: usize = 400;

/// The ladder's styles, for the page's `<style>`.
pub const STYLE: &str = "\
svg.ladder { font: 11px sans-serif; background: #fff; max-width: 100%; height: auto; }
.ladder text { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; fill: #222; }
.ladder .role { font-size: 14px; font-weight: bold; }
.ladder .lifeline { stroke: #333; stroke-width: 2; }
.ladder .break line { stroke: #333; stroke-width: 2; stroke-dasharray: 2 4; }
.ladder .break path { stroke: #333; stroke-width: 1.5; fill: none; }
.ladder .break text { fill: #555; font-style: italic; }
.ladder .time { fill: #666; font-size: 10px; }
.ladder line.arrow { stroke-width: 1.5; }
.ladder .to-server line.arrow { stroke: #1f5fbf; }
.ladder .to-server .head { fill: #1f5fbf; }
.ladder .to-client line.arrow { stroke: #1e8449; }
.ladder .to-client .head { fill: #1e8449; }
.ladder .duplicate line.arrow { stroke-dasharray: 3 3; }
.ladder .corrupt line.arrow { stroke: #d35400; stroke-dasharray: 7 3; }
.ladder .corrupt .head, .ladder .corrupt .mark { fill: #d35400; }
.ladder .corrupt text.label { fill: #a04000; }
.ladder .drop line.arrow { stroke: #999; }
.ladder .drop .cross { stroke: #c0392b; stroke-width: 2.5; }
.ladder .drop text.label { fill: #922b21; }
.ladder .retransmission path { stroke: #7d3c98; stroke-width: 1.5; fill: none; }
.ladder .retransmission text { fill: #7d3c98; font-weight: bold; }
.ladder .reset line { stroke: #c0392b; stroke-width: 1.5; stroke-dasharray: 6 4; }
.ladder .reset text { fill: #922b21; font-weight: bold; }
.ladder .cap-note { fill: #a04000; font-weight: bold; }
";

const WIDTH: f64 = 1000.0;
const CLIENT_X: f64 = 270.0;
const SERVER_X: f64 = 730.0;
const MIDDLE_X: f64 = (CLIENT_X + SERVER_X) / 2.0;
/// Where the first moment is drawn, below the programs' names.
const TOP: f64 = 60.0;
/// How far out from its line a retransmission bracket stands, and the gap between two that
/// overlap in time.
const BRACKET_OFFSET: f64 = 72.0;
const BRACKET_SPACING: f64 = 12.0;
const BRACKET_LANES: usize = 4;

/// The ladder of one run's trace, as an `<svg>` element.
pub fn render(trace: &WireTrace) -> String {
    let drawing = if trace.events.is_empty() && !trace.connections.is_empty() {
        connections::drawing(&trace.connections, DRAWN_LIMIT)
    } else {
        arrows::datagrams(trace, DRAWN_LIMIT)
    };
    let moments = drawing
        .arrows
        .iter()
        .flat_map(|arrow| {
            let end = match arrow.end {
                Ending::Arrives(at) => Some(at),
                Ending::Lost => None,
            };
            std::iter::once(arrow.sent_at).chain(end)
        })
        .chain(drawing.bands.iter().map(|band| band.at));
    let axis = TimeAxis::new(moments, TOP);
    let mut notes = Vec::new();
    if drawing.arrows.is_empty() {
        notes.push("nothing crossed the wire".to_owned());
    }
    notes.extend(drawing.left_out.clone());
    let height = axis.bottom() + ROW_HEIGHT * (1.5 + notes.len() as f64);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="ladder" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-label="ladder diagram of the datagrams between client and server">"#
    );
    svg.push('\n');
    draw_lifelines(&mut svg, &axis);
    let mut labelled_moments = BTreeSet::new();
    for arrow in &drawing.arrows {
        draw_arrow(&mut svg, &axis, arrow, &mut labelled_moments);
    }
    draw_repeats(&mut svg, &axis, &drawing.repeats);
    for band in &drawing.bands {
        let y = axis.y(band.at);
        let _ = writeln!(
            svg,
            r#"<g class="reset"><title>{label} at {at}</title><line x1="{CLIENT_X}" y1="{y:.1}" x2="{SERVER_X}" y2="{y:.1}"/><text x="{MIDDLE_X}" y="{text_y:.1}" text-anchor="middle">{label}</text></g>"#,
            label = markup(&band.label),
            at = moment(band.at),
            text_y = y + 14.0,
        );
    }
    for (index, note) in notes.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<text class="cap-note" x="20" y="{:.1}">{}</text>"#,
            axis.bottom() + ROW_HEIGHT * (1.5 + index as f64),
            markup(note)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// How to read a ladder of a run like `trace` (UDP or TCP), for the page's legend.
pub fn legend(trace: &WireTrace) -> String {
    let scale = format!(
        "Time flows down, {} px per millisecond; moments closer than a line are spread apart, and idle stretches over {} are cut short.",
        time_axis::PIXELS_PER_MILLISECOND,
        wording::millis(time_axis::IDLE_GAP)
    );
    let marks = if trace.events.is_empty() && !trace.connections.is_empty() {
        "Each arrow is one read of the relay from a program, ending when the relay had written its last byte to the other; FIN is a program closing its side, a red dashed line a reset, a cross what never arrived."
    } else {
        "Blue: client to server; green: server to client. A cross: dropped by the link. Orange, dashed, with a diamond: a corrupted or cut copy. Dashed: an extra (duplicate) copy. A purple bracket: a program sent its previous datagram again, with the time between (the retransmission timer)."
    };
    format!("{scale} {marks} Point at an arrow for its details.")
}

/// The two programs' names and lines, interrupted where idle time was cut short.
fn draw_lifelines(svg: &mut String, axis: &TimeAxis) {
    for (role, x) in [(Role::Client, CLIENT_X), (Role::Server, SERVER_X)] {
        let _ = writeln!(
            svg,
            r#"<text class="role" x="{x}" y="24" text-anchor="middle">{role}</text>"#
        );
    }
    let mut top = TOP - 24.0;
    for gap in axis.breaks() {
        draw_lifeline_stretch(svg, top, gap.top);
        top = gap.bottom;
        let middle = (gap.top + gap.bottom) / 2.0;
        let _ = write!(svg, r#"<g class="break">"#);
        for x in [CLIENT_X, SERVER_X] {
            // The dotted line says time went on; the two slashes that it was cut short.
            let _ = write!(
                svg,
                r#"<line x1="{x}" y1="{:.1}" x2="{x}" y2="{:.1}"/><path d="M{:.1} {:.1}l16 -6M{:.1} {:.1}l16 -6"/>"#,
                gap.top,
                gap.bottom,
                x - 8.0,
                middle,
                x - 8.0,
                middle + 6.0
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{MIDDLE_X}" y="{:.1}" text-anchor="middle">… {} with nothing on the wire, cut short …</text></g>"#,
            middle + 4.0,
            wording::millis(gap.skipped)
        );
    }
    draw_lifeline_stretch(svg, top, axis.bottom() + ROW_HEIGHT / 2.0);
}

fn draw_lifeline_stretch(svg: &mut String, top: f64, bottom: f64) {
    for x in [CLIENT_X, SERVER_X] {
        let _ = writeln!(
            svg,
            r#"<line class="lifeline" x1="{x}" y1="{top:.1}" x2="{x}" y2="{bottom:.1}"/>"#
        );
    }
}

/// One arrow with its head (or cross), its label, its tooltip, and the moment it left,
/// written beside the sender's line unless another arrow already wrote it there.
fn draw_arrow(
    svg: &mut String,
    axis: &TimeAxis,
    arrow: &Arrow,
    labelled_moments: &mut BTreeSet<(Role, std::time::Duration)>,
) {
    let (from_x, to_x, outward) = match arrow.sender {
        Role::Client => (CLIENT_X, SERVER_X, -1.0),
        Role::Server => (SERVER_X, CLIENT_X, 1.0),
    };
    let from_y = axis.y(arrow.sent_at);
    let _ = write!(
        svg,
        r#"<g class="{}"><title>{}</title>"#,
        arrow.classes.join(" "),
        tooltip(&arrow.detail)
    );
    let label = markup(&arrow.label);
    // Labels start beside the sender's line, just above the arrow: arrows leave at distinct
    // moments a row apart, so their labels do not overlap even where arrows cross. A
    // duplicate shares its start with the first copy, so its label stands at its own end.
    let (label_x, label_y, anchor) = match arrow.end {
        Ending::Arrives(at) if arrow.classes.contains(&"duplicate") => (
            to_x + outward * 10.0,
            axis.y(at) - 5.0,
            anchor_towards(outward),
        ),
        _ => (
            from_x - outward * 10.0,
            from_y - 5.0,
            anchor_towards(-outward),
        ),
    };
    match arrow.end {
        Ending::Arrives(at) => {
            let to_y = axis.y(at);
            let _ = write!(
                svg,
                r#"<line class="arrow" x1="{from_x:.1}" y1="{from_y:.1}" x2="{to_x:.1}" y2="{to_y:.1}"/>{}"#,
                head(from_x, from_y, to_x, to_y)
            );
            if arrow.classes.contains(&"corrupt") {
                let _ = write!(
                    svg,
                    r#"<path class="mark" d="M{:.1} {:.1}l6 6l-6 6l-6 -6z"/>"#,
                    MIDDLE_X,
                    (from_y + to_y) / 2.0 - 6.0
                );
            }
        }
        Ending::Lost => {
            // Low enough to read as a fall, high enough to stay clear of the next label.
            let (cross_x, cross_y) = (MIDDLE_X, from_y + ROW_HEIGHT / 4.0);
            let _ = write!(
                svg,
                r#"<line class="arrow" x1="{from_x:.1}" y1="{from_y:.1}" x2="{cross_x:.1}" y2="{cross_y:.1}"/><path class="cross" d="M{:.1} {:.1}l12 12m0 -12l-12 12"/>"#,
                cross_x - 6.0,
                cross_y - 6.0,
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="label" x="{label_x:.1}" y="{label_y:.1}" text-anchor="{anchor}">{label}</text>"#
    );
    if labelled_moments.insert((arrow.sender, arrow.sent_at)) {
        let anchor = anchor_towards(outward);
        let _ = write!(
            svg,
            r#"<text class="time" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            from_x + outward * 8.0,
            from_y + 3.0,
            moment(arrow.sent_at)
        );
    }
    svg.push_str("</g>\n");
}

/// The `text-anchor` that makes text starting at a line run away from it: rightwards
/// (`start`) for a positive `direction`, leftwards (`end`) for a negative one.
fn anchor_towards(direction: f64) -> &'static str {
    if direction < 0.0 { "end" } else { "start" }
}

/// A tooltip's text: each line made safe on its own, so the line breaks stay breaks.
fn tooltip(detail: &str) -> String {
    detail.lines().map(markup).collect::<Vec<_>>().join("\n")
}

/// An arrowhead at (`to_x`, `to_y`) pointing along the line from (`from_x`, `from_y`).
fn head(from_x: f64, from_y: f64, to_x: f64, to_y: f64) -> String {
    let (dx, dy) = (to_x - from_x, to_y - from_y);
    let length = dx.hypot(dy).max(f64::EPSILON);
    let (ux, uy) = (dx / length, dy / length);
    let (base_x, base_y) = (to_x - 9.0 * ux, to_y - 9.0 * uy);
    format!(
        r#"<path class="head" d="M{to_x:.1} {to_y:.1}L{:.1} {:.1}L{:.1} {:.1}z"/>"#,
        base_x - 3.5 * uy,
        base_y + 3.5 * ux,
        base_x + 3.5 * uy,
        base_y - 3.5 * ux
    )
}

/// A bracket outside the sender's line from each datagram's earlier copy to the repeat,
/// labelled with the time between. Brackets that overlap in time stand side by side.
fn draw_repeats(svg: &mut String, axis: &TimeAxis, repeats: &[Repeat]) {
    // Per side, the bottom of the last bracket in each lane.
    let mut lane_bottoms = [[f64::NEG_INFINITY; BRACKET_LANES]; 2];
    for repeat in repeats {
        let (line_x, outward, side) = match repeat.sender {
            Role::Client => (CLIENT_X, -1.0, 0),
            Role::Server => (SERVER_X, 1.0, 1),
        };
        let (top, bottom) = (axis.y(repeat.earlier), axis.y(repeat.later));
        let lanes = &mut lane_bottoms[side];
        let lane = lanes
            .iter()
            .position(|&lane_bottom| lane_bottom < top)
            .unwrap_or(BRACKET_LANES - 1);
        lanes[lane] = bottom;
        let x = line_x + outward * (BRACKET_OFFSET + BRACKET_SPACING * lane as f64);
        let (anchor, text_x) = (anchor_towards(outward), x + outward * 5.0);
        let gap = wording::millis(repeat.later.saturating_sub(repeat.earlier));
        let middle = (top + bottom) / 2.0;
        let _ = writeln!(
            svg,
            r#"<g class="retransmission"><title>{detail}</title><path d="M{inner:.1} {top:.1}H{x:.1}V{bottom:.1}H{inner:.1}"/><text x="{text_x:.1}" y="{:.1}" text-anchor="{anchor}">sent again</text><text x="{text_x:.1}" y="{:.1}" text-anchor="{anchor}">after {gap}</text></g>"#,
            middle - 2.0,
            middle + 11.0,
            detail = tooltip(&repeat.detail),
            inner = x - outward * 6.0,
        );
    }
}
