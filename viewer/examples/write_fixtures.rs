//! Writes the viewer's fixtures to a folder (for `scripts/screenshot.sh` and manual testing):
//! `cargo run -p spindle-viewer --example write_fixtures -- DIR [SPANS]`.

use std::path::PathBuf;

use spindle_formats::{TraceData, write_spindle_json, write_zipkin};
use spindle_viewer::fixture;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "viewer-fixtures".into()));
    let wide: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, data: &TraceData, zipkin: bool| -> std::io::Result<()> {
        let mut bytes = Vec::new();
        if zipkin {
            write_zipkin(data, &mut bytes)?;
        } else {
            write_spindle_json(data, &mut bytes)?;
        }
        std::fs::write(dir.join(name), bytes)
    };
    write("shop.spindle.json", &fixture::shop(), false)?;
    write("worker.zipkin.json", &fixture::orphans(), true)?;
    write("wide.spindle.json", &fixture::wide_trace(wide, 10), false)?;
    std::fs::write(dir.join("junk.json"), "<html>not a trace</html>\n")?;
    std::fs::write(
        dir.join("partial.zipkin.json"),
        concat!(
            r#"[{"traceId":"00000000000000000000000000000abc","id":"00000000000000a1","name":"good span","#,
            r#""timestamp":1700000000000000,"duration":1000,"localEndpoint":{"serviceName":"edge"}},"#,
            "\n",
            r#"{"traceId":"xyz","id":"00000000000000a2","name":"bad span","timestamp":1700000000000000,"#,
            r#""duration":5,"localEndpoint":{"serviceName":"edge"}}]"#,
            "\n"
        ),
    )?;
    println!("wrote fixtures to {}", dir.display());
    Ok(())
}
