#![no_main]
//! The CSV row reader (hand-written fast path), and a differential check: when fairfile reads a
//! file, the `csv` crate reads the same number of data rows, each as long as the header.
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let (_dir, root) = common::folder(&common::rows_config("data.csv"));
    common::write(&root, "data.csv", data);
    let Ok(audit) = fairfile::config::Audit::load(&root) else {
        return;
    };
    if let Ok(ingested) = fairfile::ingest::read(&audit, &fairfile::events::Quiet) {
        let bytes = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let records: Vec<csv::ByteRecord> = reader.byte_records().map(|r| r.unwrap()).collect();
        let header = records[0].len();
        assert!(
            records.iter().all(|r| r.len() == header),
            "fairfile accepted a ragged file"
        );
        assert_eq!(
            ingested.data.rows_read,
            records.len() as u64 - 1,
            "row counts differ"
        );
        assert_eq!(ingested.tally.total(), ingested.data.rows_read);
        // The same rows by stratum: accepted alike, every row in one stratum.
        std::fs::write(root.join("fairfile.toml"), common::stratified_config("data.csv")).unwrap();
        let audit = fairfile::config::Audit::load(&root).expect("the stratified config loads");
        match fairfile::ingest::read(&audit, &fairfile::events::Quiet) {
            Ok(stratified) => {
                assert_eq!(stratified.tally.total(), ingested.tally.total());
                common::check_strata(&stratified);
            }
            // The one error strata add: more than MAX_STRATA combinations.
            Err(e) => assert!(e.to_string().contains("distinct strata"), "{e}"),
        }
    }
});
