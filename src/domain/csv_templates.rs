//! The CSV templates of the directory imports: for each kind, the header
//! the importer reads (every column it takes, required ones first) and one
//! example row, to download, fill in and import back.

use crate::domain::records::{
    CalendarRecord, DirectoryRecord, InspectorRecord, ItemRecord, RecusalRecord, TargetRecord,
};

/// The kinds with a template, as in `/api/templates/{kind}.csv`.
pub const KINDS: [&str; 6] = [
    ItemRecord::KIND,
    TargetRecord::KIND,
    InspectorRecord::KIND,
    RecusalRecord::KIND,
    CalendarRecord::KIND,
    CHECKLISTS,
];

/// The checklists of items (检查表), imported whole per item.
pub const CHECKLISTS: &str = "checklists";

/// The template of `kind`, its example rows written for `department`;
/// `None` for a kind that has none.
pub fn template(kind: &str, department: &str) -> Option<String> {
    let (header, example) = match kind {
        ItemRecord::KIND => (
            "code,name,department,legal_basis,target_category,sampling_ratio,frequency,method,frequency_cap",
            format!("FOOD-01,食品经营检查,{department},《中华人民共和国食品安全法》第八十七条,食品经营者,5%,每年一次,现场检查,1"),
        ),
        TargetRecord::KIND => (
            "id,name,region,risk_class,industry,unit,flags,last_inspected,address",
            "91320100MA1XXXXX0A,示例餐饮有限公司,320102,B,餐饮服务,玄武区市场监督管理局,abnormal,2025-06-30,南京市玄武区示例路1号"
                .to_owned(),
        ),
        InspectorRecord::KIND => (
            "id,name,department,unit,region,items,certificate_expires,certificate_no,active",
            format!("E0001,张三,{department},玄武区市场监督管理局,320102,FOOD-01;DRUG-01,2028-12-31,苏执法字00001号,true"),
        ),
        RecusalRecord::KIND => ("inspector_id,target_id,reason", "E0001,91320100MA1XXXXX0A,亲属在该单位任职".to_owned()),
        CalendarRecord::KIND => ("date,kind,name", "2026-10-01,holiday,国庆节".to_owned()),
        CHECKLISTS => (
            "item_code,number,point,legal_basis,method",
            "FOOD-01,1,是否持有有效的食品经营许可证,《中华人民共和国食品安全法》第三十五条,查验许可证原件\n\
             FOOD-01,2,从业人员是否持有有效健康证明,《中华人民共和国食品安全法》第四十五条,查阅健康证明"
                .to_owned(),
        ),
        _ => return None,
    };
    Some(format!("{header}\n{example}\n"))
}
