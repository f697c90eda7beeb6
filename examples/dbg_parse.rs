//! Debugging aid: parse one file and print its articles (and, with
//! `--explain`, the line-by-line account); `--weights FILE` uses another
//! weight table.
use bulletind::parse::dev::Model;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--") && !a.ends_with(".tsv"))
        .expect("path");
    let bytes = std::fs::read(path).expect("read");
    let name = std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("x.txt")
        .to_owned();
    let model = match args.iter().position(|a| a == "--weights") {
        Some(k) => Model::from_table(&std::fs::read_to_string(&args[k + 1]).expect("weights")),
        None => Model::committed(),
    };
    if args.iter().any(|a| a == "--explain") {
        for l in model.explain(&name, &bytes).expect("explain") {
            println!("{l}");
        }
    }
    let b = model
        .parse(&name, &bytes, &Default::default())
        .expect("parse");
    for a in &b.articles {
        println!(
            "== {:?} / {:?} / {:?} sec={:?} {:?}",
            a.kicker, a.title, a.subtitle, a.section, a.authors
        );
        for bl in &a.blocks {
            let s = format!("{bl:?}");
            println!("   {}", s.chars().take(150).collect::<String>());
        }
    }
    println!(
        "date {:?} section {:?} warnings {:?}",
        b.date, b.section, b.warnings
    );
}
