fn main() {
    let path = std::env::args().nth(1).expect("path");
    let bytes = std::fs::read(&path).expect("read");
    let name = std::path::Path::new(&path).file_name().unwrap().to_string_lossy().into_owned();
    let explain = std::env::args().any(|a| a == "--explain");
    if explain {
        for l in bulletind::parse::explain(&name, &bytes, &Default::default()).unwrap() {
            println!("{l}");
        }
    }
    let b = bulletind::parse::parse_bulletin(&name, &bytes, &Default::default()).unwrap();
    for a in &b.articles {
        println!("== {:?} / {:?} / {:?} sec={:?} {:?}", a.kicker, a.title, a.subtitle, a.section, a.authors);
        for bl in &a.blocks {
            let s = format!("{bl:?}");
            println!("   {}", s.chars().take(150).collect::<String>());
        }
    }
    println!("date {:?} section {:?} warnings {:?}", b.date, b.section, b.warnings);
}
