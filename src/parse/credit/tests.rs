//! Table-driven tests of the credit and caption shapes, through the
//! module's entry points (`find`, `find_line`, `caption`, `job_title_line`).

use super::*;
use crate::model::Role;

#[test]
fn finds_release_wire_and_alumni_credits() {
    use crate::model::Role::{Agency, Author as A};
    let c = find("HARTWELL, Ohio, May 14, 2024 /Meridian Newswire/ -- Hartwell Pump Company")
        .expect("release dateline");
    assert_eq!(c.authors, vec![a("Meridian Newswire", Agency)]);
    assert_eq!(c.rest, "Hartwell Pump Company");
    let by = find_line("By Jordan Pryce ’09").expect("byline with a class year");
    assert_eq!(by.authors, vec![a("Jordan Pryce", A)]);
    let cor = find_line("Correspondent: Bud Emmerich, 14 Larch Lane, Sedley, OH")
        .expect("labelled byline");
    assert_eq!(cor.authors, vec![a("Bud Emmerich", A)]);
    assert!(find_line("Correspondent: position open – write to us").is_none());
    assert_eq!(
        caption("On the new bridge. Photo by Mei Lin Tso ’15"),
        Some(Some("Mei Lin Tso".to_owned()))
    );
    assert!(caption("From left: Deb Kuhl and Peg Stiles. Photo courtesy of Peg Stiles").is_some());
}

#[test]
fn job_title_lines() {
    let cases = [
        ("Courier Staff Writer", true),
        ("Staff Reporter", true),
        ("Special to the Gazette", true),
        ("Council approves new budget", false),
        ("The writer lives in Hadley.", false),
    ];
    for (line, want) in cases {
        assert_eq!(job_title_line(line), want, "{line}");
    }
}

fn a(name: &str, role: Role) -> crate::model::Author {
    crate::model::Author {
        name: name.into(),
        role,
    }
}

#[test]
fn finds_credit_lines() {
    use Role::*;
    let cases: Vec<(&str, Option<Vec<crate::model::Author>>)> = vec![
        ("□江门日报记者/陈婵", Some(vec![a("陈婵", Reporter)])),
        (
            "通讯员/黄雅玲 林瑞瑾",
            Some(vec![a("黄雅玲", Correspondent), a("林瑞瑾", Correspondent)]),
        ),
        (
            "□江门日报记者/陈婵 何榕",
            Some(vec![a("陈婵", Reporter), a("何榕", Reporter)]),
        ),
        (
            "本报记者 张三 李四",
            Some(vec![a("张三", Reporter), a("李四", Reporter)]),
        ),
        (
            "记者 张三 通讯员 李四",
            Some(vec![a("张三", Reporter), a("李四", Correspondent)]),
        ),
        ("記者王小明／台北報導", Some(vec![a("王小明", Reporter)])),
        (
            "【記者王小明／台北報導】",
            Some(vec![a("王小明", Reporter)]),
        ),
        (
            "新华社记者 张三",
            Some(vec![a("新华社", Agency), a("张三", Reporter)]),
        ),
        ("文/张三", Some(vec![a("张三", Author)])),
        ("文/图 本报记者 林静", Some(vec![a("林静", Reporter)])),
        ("文/社区通讯员 李想", Some(vec![a("李想", Correspondent)])),
        (
            "本报记者 吕欣然 通讯员 王立 许文",
            Some(vec![
                a("吕欣然", Reporter),
                a("王立", Correspondent),
                a("许文", Correspondent),
            ]),
        ),
        ("記者王小明∕台北報導", Some(vec![a("王小明", Reporter)])),
        ("記者林嘉敏報導", Some(vec![a("林嘉敏", Reporter)])),
        ("特派記者林維中∕北京報導", Some(vec![a("林維中", Reporter)])),
        (
            "（本报记者 王建国 刘鹏）",
            Some(vec![a("王建国", Reporter), a("刘鹏", Reporter)]),
        ),
        ("記者王小明台北報導", Some(vec![a("王小明", Reporter)])),
        ("By Jane Doe", Some(vec![a("Jane Doe", Author)])),
        (
            "By JANE DOE and JOHN ROE",
            Some(vec![a("JANE DOE", Author), a("JOHN ROE", Author)]),
        ),
        (
            "By Jane Doe, Staff Writer",
            Some(vec![a("Jane Doe", Author)]),
        ),
        (
            "By Jane Doe, Associated Press",
            Some(vec![a("Jane Doe", Author), a("Associated Press", Agency)]),
        ),
        (
            "Mary-Ann O’Neil, Staff Writer",
            Some(vec![a("Mary-Ann O’Neil", Author)]),
        ),
        (
            "Tom Baker, Education Correspondent",
            Some(vec![a("Tom Baker", Author)]),
        ),
        (
            "Reporting by Li Wei; Editing by Sam Holt",
            Some(vec![a("Li Wei", Author)]),
        ),
        (
            "The Associated Press",
            Some(vec![a("The Associated Press", Agency)]),
        ),
        ("Staff Writer", Some(vec![])),
        ("Associated Press Writer", Some(vec![])),
        (
            "记者了解到，今年8月，广州—江门税务部门联合侨务工作基地揭牌成立",
            None,
        ),
        ("江海区老年人积极接种新冠病毒疫苗。礼乐街道供图", None),
        ("By the end of the year the bridge will be finished.", None),
        ("领导带头 先学一步 深学一层", None),
        ("Council approves budget", None),
    ];
    for (line, want) in cases {
        let got = find_line(line).map(|c| c.authors);
        assert_eq!(got, want, "{line}");
    }
}

/// Credit lines of research notes, expert columns, temple and farmers'
/// newsletters and web pages (batch 8): analysts, fields after the names,
/// titles and units that are not names, desk credits, source notes, meta
/// lines and By-lines with an affiliation.
#[test]
fn finds_analyst_desk_and_web_credits() {
    use Role::*;
    let cases: Vec<(&str, Option<Vec<crate::model::Author>>)> = vec![
        (
            "分析师：周启明、方可欣 执业证书编号：S0000520010001、S0000523070002",
            Some(vec![a("周启明", Author), a("方可欣", Author)]),
        ),
        ("文∕家政指導員　蔡雅婷", Some(vec![a("蔡雅婷", Author)])),
        ("（文/图　所工会）", Some(vec![])),
        ("（供稿：湿地生态研究组　审核：杜明远）", Some(vec![])),
        ("（来源：新华社）", Some(vec![a("新华社", Agency)])),
        ("（資料來源：嘉南區農業改良場）", None),
        ("呼吸与危重症医学科　主治医师　陈立", Some(vec![a("陈立", Author)])),
        ("全科医生　温立群", Some(vec![a("温立群", Author)])),
        ("物業經理　陳志強", Some(vec![a("陳志強", Author)])),
        ("里長　林素娟　敬上", Some(vec![a("林素娟", Author)])),
        ("儿童保健科　钱少华", Some(vec![a("钱少华", Author)])),
        ("健康生活　从我做起", None),
        ("◎住持　釋慧明法師", Some(vec![a("釋慧明", Author)])),
        ("文∕志工　陳美玲　攝影∕王建宏", Some(vec![a("陳美玲", Author)])),
        ("价格跟踪　需求观察", None),
        ("分析师声明", None),
        (
            "Posted by Ingrid Solberg and Tomasz Wójcik in People & Culture · 10 March 2025 · 5 min read",
            Some(vec![a("Ingrid Solberg", Author), a("Tomasz Wójcik", Author)]),
        ),
        (
            "Posted by Internal Communications · 6 March 2025 · 1 min read",
            Some(vec![]),
        ),
        (
            "By Helena Marchetti, Tollgate Chambers",
            Some(vec![a("Helena Marchetti", Author)]),
        ),
        (
            "By Owen Pryce-Dalton and Sabine Kühl, Marlgate Chambers",
            Some(vec![a("Owen Pryce-Dalton", Author), a("Sabine Kühl", Author)]),
        ),
        (
            "By Ann Lee, Bo Park and Cy Diaz",
            Some(vec![a("Ann Lee", Author), a("Bo Park", Author), a("Cy Diaz", Author)]),
        ),
        ("Reported by Gwen Pritchard", Some(vec![a("Gwen Pritchard", Author)])),
        (
            "Words by Tamsin Roe  |  Photography by Idris Penhale",
            Some(vec![a("Tamsin Roe", Author)]),
        ),
        (
            "18 May 2025 · Report by Jo Hartley · Photos: Sam Reid",
            Some(vec![a("Jo Hartley", Author)]),
        ),
        (
            "Reported by Amina Yusuf, Health Coordinator",
            Some(vec![a("Amina Yusuf", Author)]),
        ),
        (
            "Submitted by Raymond Deluca, Landscape Committee Chair",
            Some(vec![a("Raymond Deluca", Author)]),
        ),
        ("(Contributed by Mait Kukk)", Some(vec![a("Mait Kukk", Author)])),
        (
            "Authors: Mirela Vukovic and Daniel Osterhaus",
            Some(vec![a("Mirela Vukovic", Author), a("Daniel Osterhaus", Author)]),
        ),
        (
            "Authors: Grace Whitlow-Baptiste (Halverson Institute), Kenji Aramaki",
            Some(vec![a("Grace Whitlow-Baptiste", Author), a("Kenji Aramaki", Author)]),
        ),
        ("Words and photos: Tom Ellery", Some(vec![a("Tom Ellery", Author)])),
        ("By Oskar Brandt (chef)", Some(vec![a("Oskar Brandt", Author)])),
        (
            "By Sgt. Carla Duvall, Public Information Officer",
            Some(vec![a("Carla Duvall", Author)]),
        ),
    ];
    for (line, want) in cases {
        let got = find_line(line).map(|c| c.authors);
        assert_eq!(got, want, "{line}");
    }
}

#[test]
fn finds_inline_credits() {
    use Role::*;
    let cases: Vec<(&str, Vec<crate::model::Author>, &str)> = vec![
        (
            "MILLBROOK — The school board voted 5-2.",
            vec![],
            "The school board voted 5-2.",
        ),
        (
            "EAST HADLEY, Mass. -- “We won,” she said.",
            vec![],
            "“We won,” she said.",
        ),
        (
            "江门日报讯（记者/陈婵 通讯员/陈伟杰）近日，区人大常委会组织视察。",
            vec![a("陈婵", Reporter), a("陈伟杰", Correspondent)],
            "近日，区人大常委会组织视察。",
        ),
        (
            "本报讯 近日，某地举行活动。",
            vec![],
            "近日，某地举行活动。",
        ),
        (
            "【本报曼谷讯】曼谷都市捷运公司昨日宣布封闭两条车道。",
            vec![],
            "曼谷都市捷运公司昨日宣布封闭两条车道。",
        ),
        (
            "本报讯（记者 张三）近日，某地举行活动。",
            vec![a("张三", Reporter)],
            "近日，某地举行活动。",
        ),
        (
            "新华社北京12月7日电（记者 张三 李四）国务院今天发布通知。",
            vec![
                a("新华社", Agency),
                a("张三", Reporter),
                a("李四", Reporter),
            ],
            "国务院今天发布通知。",
        ),
        (
            "【新华社北京12月7日电】国务院今天发布通知。",
            vec![a("新华社", Agency)],
            "国务院今天发布通知。",
        ),
        (
            "本报北京12月8日电（记者 王五）会议召开。",
            vec![a("王五", Reporter)],
            "会议召开。",
        ),
        (
            "人民网消息：日前，某地举行活动。",
            vec![a("人民网", Agency)],
            "日前，某地举行活动。",
        ),
        (
            "据新华社电 国务院日前发布通知。",
            vec![a("新华社", Agency)],
            "国务院日前发布通知。",
        ),
        (
            "記者張雅婷、李建宏∕綜合報導近期天氣回暖。",
            vec![a("張雅婷", Reporter), a("李建宏", Reporter)],
            "近期天氣回暖。",
        ),
        (
            "【記者陳美玲∕高雄報導】高雄輕軌通車。",
            vec![a("陳美玲", Reporter)],
            "高雄輕軌通車。",
        ),
        (
            "WASHINGTON (AP) — The Senate voted on Tuesday.",
            vec![a("AP", Agency)],
            "The Senate voted on Tuesday.",
        ),
        (
            "BEIJING, Dec. 7 (Xinhua) -- China announced new measures.",
            vec![a("Xinhua", Agency)],
            "China announced new measures.",
        ),
        (
            "【記者王小明／台北報導】市府今天宣布新措施。",
            vec![a("王小明", Reporter)],
            "市府今天宣布新措施。",
        ),
        (
            "央视网消息（新闻联播）：入冬以来，各地抓住农闲有利时机。",
            vec![a("央视网", Agency)],
            "入冬以来，各地抓住农闲有利时机。",
        ),
        (
            "本报讯 记者张卫东、通讯员李海报道：1月下旬，气温骤降。",
            vec![a("张卫东", Reporter), a("李海", Correspondent)],
            "1月下旬，气温骤降。",
        ),
        (
            "本报北京1月29日电 记者周正报道：春节临近。",
            vec![a("周正", Reporter)],
            "春节临近。",
        ),
    ];
    assert_inline(cases);
    for line in [
        "近日，区人大常委会组织江南街道部分人大代表来到新中社区。",
        "The Senate voted on Tuesday.",
        "（一）坚持人民至上",
    ] {
        assert_eq!(find(line), None, "{line}");
    }
}

/// Each line gives the credit's authors and leaves the rest.
fn assert_inline(cases: Vec<(&str, Vec<crate::model::Author>, &str)>) {
    for (line, authors, rest) in cases {
        let got = find(line).unwrap_or_else(|| panic!("no credit in {line}"));
        assert_eq!(got.authors, authors, "{line}");
        assert_eq!(got.rest, rest, "{line}");
    }
}

#[test]
fn finds_dispatch_credits() {
    use Role::*;
    assert_inline(vec![
        (
            "（中央社記者王小明台北7日電）行政院今天通過預算。",
            vec![a("中央社", Agency), a("王小明", Reporter)],
            "行政院今天通過預算。",
        ),
        (
            "PORT ELLERY, Maine (MNS) _ Dockworkers voted Tuesday.",
            vec![a("MNS", Agency)],
            "Dockworkers voted Tuesday.",
        ),
        (
            "【中央社廈門五日電】往返廈門與金門的航線增加。",
            vec![a("中央社", Agency)],
            "往返廈門與金門的航線增加。",
        ),
        (
            "（中央社記者王思涵、吳建宏台北5日電）捷運測試列車運抵機廠。",
            vec![
                a("中央社", Agency),
                a("王思涵", Reporter),
                a("吳建宏", Reporter),
            ],
            "捷運測試列車運抵機廠。",
        ),
        (
            "本报讯（学生记者 许嘉怡 周子墨）自习室正式开放。",
            vec![a("许嘉怡", Reporter), a("周子墨", Reporter)],
            "自习室正式开放。",
        ),
        (
            "文、图/赵一凡12月15日，集团团委举办技能比武。",
            vec![a("赵一凡", Author)],
            "12月15日，集团团委举办技能比武。",
        ),
        (
            "（中央社記者黃子睿東京5日專電）食品展今天開幕。",
            vec![a("中央社", Agency), a("黃子睿", Reporter)],
            "食品展今天開幕。",
        ),
    ]);
}

#[test]
fn finds_captions() {
    let cases: &[(&str, Option<Option<&str>>)] = &[
        (
            "江海区老年人积极接种新冠病毒疫苗。礼乐街道供图",
            Some(Some("礼乐街道")),
        ),
        (
            "税务人员向侨资企业工作人员介绍税务驿站功能。高新区（江海区）税务局供图",
            Some(Some("高新区（江海区）税务局")),
        ),
        ("市民在公园赏花。记者 张三 摄", Some(Some("张三"))),
        ("市民在公园赏花（张三 摄）", Some(Some("张三"))),
        (
            "（家政班班員專心學習包粽。攝影∕許志明）",
            Some(Some("許志明")),
        ),
        ("（文/图　所工会）", None),
        (
            "學童種下樹苗。中央社記者蔡孟婷攝　113年3月5日",
            Some(Some("蔡孟婷")),
        ),
        ("△志愿者为长者测量血压。", Some(None)),
        ("Photo: Volunteers plant trees in Mill Park.", Some(None)),
        (
            "Volunteers plant trees in Mill Park. (Photo: Jane Doe)",
            Some(Some("Jane Doe")),
        ),
        (
            "Volunteers plant trees. Photo by Jane Doe",
            Some(Some("Jane Doe")),
        ),
        (
            "Sen. Lisa Hardwick speaks. (AP Photo/Daniel Reyes)",
            Some(Some("Daniel Reyes")),
        ),
        (
            "Photo: Volunteers at the Fair Green. Picture: Brian Cotter",
            Some(Some("Brian Cotter")),
        ),
        (
            "（記者王小明攝）文昌公園新設的共融遊具。",
            Some(Some("王小明")),
        ),
        (
            "用相机记录青青读书会的一砖一瓦，定格党员的学习瞬间，现场拍摄",
            None,
        ),
        ("江海区持续推进老年人新冠病毒疫苗接种工作", None),
        ("宣讲党的二十大精神的备课过程。", None),
    ];
    for (line, want) in cases {
        let got = caption(line);
        let want = want.map(|c| c.map(str::to_owned));
        assert_eq!(got, want, "{line}");
    }
}

#[test]
fn report_words_meta_fields_signoffs_and_addresses() {
    use crate::model::Role::{Author as A, Reporter};
    let cases = [
        ("报道：黄振强", Some(vec![a("黄振强", Reporter)])),
        ("黄慧敏　报道", Some(vec![a("黄慧敏", Reporter)])),
        (
            "林志强、陈嘉欣 报道",
            Some(vec![a("林志强", Reporter), a("陈嘉欣", Reporter)]),
        ),
        (
            "作者：老周看盘　　发表于 2024-05-21 08:47　　阅读 23816",
            Some(vec![a("老周看盘", A)]),
        ),
        (
            "by Nell Ashdown <nell@quayside.ex>",
            Some(vec![a("Nell Ashdown", A)]),
        ),
        ("综合报道", None),
        ("BY THE NUMBERS", None),
    ];
    for (line, want) in cases {
        assert_eq!(find_line(line).map(|c| c.authors), want, "{line}");
    }
    let (before, c) =
        dash_signoff("error in one detector channel. —Rohan Desai").expect("sign-off");
    assert_eq!(before, "error in one detector channel.");
    assert_eq!(c.authors, vec![a("Rohan Desai", A)]);
    assert!(dash_signoff("the river — Old Mill Road").is_none());
    assert!(dash_signoff("—Rohan Desai").is_none());
}
