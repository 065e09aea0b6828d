//! `--out DIR` writes `report.html`, whose ladder shows the lost packet and the
//! retransmission that repaired it; where Chromium is installed, the page renders to a
//! screenshot (`scripts/screenshot-report`) without a word on the browser's console.

use crate::util::{
    grade, process_start_ticks, root, trace, wait_until_ended, with_timer_scenarios,
};
use socklab_grader::exit_code;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Long enough for a cold headless Chromium on a busy two-core machine.
const SCREENSHOT_DEADLINE: Duration = Duration::from_secs(150);

#[test]
fn the_bundle_has_a_report_page_whose_ladder_shows_the_loss_and_the_repair() {
    let mut args = vec!["rdt3", "--seed", "7"];
    args.extend(with_timer_scenarios("lost-packet"));
    let graded = grade(&args);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    let page_path = graded.out.path().join("report.html");
    let page = std::fs::read_to_string(&page_path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", page_path.display()));
    assert!(
        page.contains(r#"<g class="datagram to-server drop">"#),
        "the dropped data packet is drawn as a drop"
    );
    assert!(page.contains("dropped by the link: a scripted drop"));
    let repair = page
        .split(r#"<g class="retransmission">"#)
        .nth(1)
        .expect("a retransmission is drawn");
    let repair = &repair[..repair.find("</g>").unwrap()];
    // The label gives the gap the trace measured (about the reference's 9 ms timer).
    let received = |nth: u64| {
        trace(graded.out.path(), "lost-packet")
            .into_iter()
            .find(|event| event["direction"] == "to-server" && event["nth"] == nth)
            .and_then(|event| event["received_at"].as_u64())
            .unwrap_or_else(|| panic!("the trace has to-server #{nth}"))
    };
    // On the wire the gap may even be shorter than the timer: a client preempted between
    // starting its timer and sending (a loaded machine showed 2.6 ms).
    let gap = Duration::from_micros(received(3) - received(2));
    let label = format!(">after {:.1} ms<", gap.as_secs_f64() * 1000.0);
    assert!(
        repair.contains("to-server #3 repeats to-server #2") && repair.contains(&label),
        "{label} in {repair}"
    );
    assert!(page.contains("<td><a href=\"#run-1\">lost-packet</a></td>"));

    let Some(chromium) = on_path("chromium") else {
        println!(
            "skipped the browser half: no `chromium` on PATH, so the page was not rendered (Debian: apt-get install chromium)"
        );
        return;
    };
    println!("rendering with {}", chromium.display());
    let shot = graded.out.path().join("report.png");
    let (code, log) = screenshot(&page_path, &shot);
    assert_eq!(code, Some(0), "screenshot-report failed:\n{log}");
    assert!(!log.contains("CONSOLE"), "the console spoke:\n{log}");
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(
        png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG of a page: {} bytes",
        png.len()
    );
}

/// Runs `scripts/screenshot-report PAGE SHOT` in a process group of its own, so that at the
/// deadline the script and the browser it started are killed together, by that group's id.
/// Returns its exit code and everything it printed. (The class page's test uses it too.)
pub fn screenshot(page: &Path, shot: &Path) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let logs = tempfile::tempdir().unwrap();
    let log_path = logs.path().join("screenshot.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let since = process_start_ticks(std::process::id()).unwrap_or(0);
    let mut child = Command::new(root().join("scripts/screenshot-report"))
        .arg(page)
        .arg(shot)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .expect("scripts/screenshot-report starts");
    let deadline = Instant::now() + SCREENSHOT_DEADLINE;
    if !wait_until_ended(child.id(), since, deadline) {
        let group = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = child.wait();
        panic!(
            "screenshot-report still ran after {SCREENSHOT_DEADLINE:?}:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
    let status = child.wait().unwrap();
    (
        status.code(),
        std::fs::read_to_string(&log_path).unwrap_or_default(),
    )
}

/// The first executable named `name` on PATH.
pub fn on_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
