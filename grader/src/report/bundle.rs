//! The evidence bundle (`--out DIR`): per scenario run, the programs' transcripts, the
//! wire trace (as JSON lines and as a pcapng capture), the outcomes and the files
//! compared, as files a person (or a regrade script) can open after the run, and
//! `report.html`, the page that shows them all.

use crate::grading::GradeReport;
use std::io::Write;
use std::path::Path;

/// Writes each run's transcripts and wire trace as JSON, and the trace as a capture
/// (`trace.pcapng`), under `dir/<run>/`, the HTML report with a ladder diagram per run to
/// `dir/report.html`, then the grader's own peak memory to
/// `dir/session.json`.
pub fn write(dir: &Path, report: &GradeReport) -> std::io::Result<()> {
    for scenario in &report.scenarios {
        let run_dir = dir.join(scenario.key.replace('#', "_"));
        std::fs::create_dir_all(&run_dir)?;
        // Streamed, not built in memory first: a transcript of 4 MiB of short lines is
        // ten times that as pretty JSON.
        for (name, transcript) in [
            ("client.json", &scenario.evidence.client),
            ("server.json", &scenario.evidence.server),
        ] {
            let mut file = std::io::BufWriter::new(std::fs::File::create(run_dir.join(name))?);
            serde_json::to_writer_pretty(&mut file, transcript).map_err(std::io::Error::other)?;
            file.flush()?;
        }
        // Streamed, not built in memory first: a flood's trace is tens of megabytes.
        let mut trace =
            std::io::BufWriter::new(std::fs::File::create(run_dir.join("trace.jsonl"))?);
        for event in &scenario.evidence.trace.events {
            serde_json::to_writer(&mut trace, event).map_err(std::io::Error::other)?;
            trace.write_all(b"\n")?;
        }
        trace.flush()?;
        // The same trace as packets, for Wireshark.
        super::pcap::write(
            &scenario.evidence.trace,
            std::io::BufWriter::new(std::fs::File::create(run_dir.join(super::pcap::FILE_NAME))?),
        )?;
        // TCP runs: one line per connection, with both streams' reads, writes and ends.
        let connections = &scenario.evidence.trace.connections;
        if !connections.is_empty() {
            let mut lines =
                std::io::BufWriter::new(std::fs::File::create(run_dir.join("connections.jsonl"))?);
            for connection in connections {
                serde_json::to_writer(&mut lines, connection).map_err(std::io::Error::other)?;
                lines.write_all(b"\n")?;
            }
            lines.flush()?;
        }
        for (name, files) in [
            ("server-files.json", &scenario.evidence.server_files),
            ("client-files.json", &scenario.evidence.client_files),
        ] {
            if !files.is_empty() {
                std::fs::write(
                    run_dir.join(name),
                    serde_json::to_string_pretty(files).map_err(std::io::Error::other)?,
                )?;
            }
        }
        std::fs::write(
            run_dir.join("outcomes.json"),
            serde_json::to_string_pretty(&scenario.outcomes).map_err(std::io::Error::other)?,
        )?;
        if let Some(file) = &scenario.evidence.file {
            write_file_evidence(&run_dir, file)?;
        }
    }
    // After the per-run files, which a reader of the page may open next to it.
    std::fs::write(dir.join("report.html"), super::html::render(report))?;
    // Last, so the peak includes grading, the report and the evidence just written: a
    // submission must not be able to make the grader itself use unbounded memory.
    let session = serde_json::json!({ "grader_peak_rss_kib": peak_rss_kib() });
    std::fs::write(
        dir.join("session.json"),
        serde_json::to_string_pretty(&session).map_err(std::io::Error::other)?,
    )?;
    Ok(())
}

/// The most of each file a bundle keeps: enough to look at where a copy went wrong.
const KEPT_FILE_BYTES: usize = 16 << 20;

/// `file.json` says what was handed out and found; when the copy differs, the bundle
/// keeps both (`original-NAME`, `received-NAME`, each cut at 16 MiB) to compare by hand.
fn write_file_evidence(
    run_dir: &Path,
    file: &crate::evidence::FileEvidence,
) -> std::io::Result<()> {
    use crate::evidence::Received;
    std::fs::write(
        run_dir.join("file.json"),
        serde_json::to_string_pretty(file).map_err(std::io::Error::other)?,
    )?;
    if let Received::File { bytes, .. } = &file.received
        && !file.missing
        && *bytes != file.original
    {
        let keep = |bytes: &[u8]| bytes[..bytes.len().min(KEPT_FILE_BYTES)].to_vec();
        std::fs::write(
            run_dir.join(format!("original-{}", file.name)),
            keep(&file.original),
        )?;
        std::fs::write(run_dir.join(format!("received-{}", file.name)), keep(bytes))?;
    }
    Ok(())
}

/// The grader's own peak resident memory so far (`VmHWM`), in KiB; `None` where the
/// kernel does not say.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
