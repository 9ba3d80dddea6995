//! Departments' display names and the site's branding: admins set them,
//! bad values are refused naming the field, and the public site answer
//! follows every change at once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

fn branding() -> Value {
    json!({
        "authority_zh": "南京市市场监督管理局",
        "authority_en": "Nanjing Administration for Market Regulation",
        "contact": "025-12345",
        "objection_channel": "书面提出",
        "icp_filing": "苏ICP备00000000号"
    })
}

async fn public_site(app: &TestApp) -> (Value, String) {
    let response = app.get(None, "/api/public/site").await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (expect(response, StatusCode::OK).await, etag)
}

on_both_backends! {
    async fn a_name_or_branding_change_enters_the_audit_trail_with_its_admin(app) {
        let names = json!({"name_zh": "市场监督管理局", "name_en": "Market Regulation Bureau"});
        expect(app.put_json(Some(&app.admin), "/api/departments/market", &names).await, StatusCode::OK).await;
        expect(app.put_json(Some(&app.admin), "/api/settings/branding", &branding()).await, StatusCode::OK).await;
        // A refused change records nothing.
        let bad = json!({"name_zh": " ", "name_en": "Market"});
        expect(app.put_json(Some(&app.admin), "/api/departments/market", &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let page = expect(app.get(Some(&app.admin), "/api/audit?limit=1000").await, StatusCode::OK).await;
        let entries = page["entries"].as_array().unwrap();
        let of = |action: &str| entries.iter().filter(|entry| entry["action"] == action).cloned().collect::<Vec<_>>();
        let departments = of("department_changed");
        assert_eq!(departments.len(), 1, "{entries:?}");
        assert_eq!(departments[0]["subject"], "market");
        assert_eq!(departments[0]["actor"], "admin");
        assert!(departments[0]["address"].as_str().is_some_and(|address| address.starts_with("127.")), "{departments:?}");
        let branding_changes = of("branding_changed");
        assert_eq!(branding_changes.len(), 1, "{entries:?}");
        assert_eq!(branding_changes[0]["actor"], "admin");
    }

    async fn only_an_admin_changes_names_and_branding(app) {
        for token in [&app.market, &app.inspector_a] {
            let names = json!({"name_zh": "市场", "name_en": "Market"});
            expect(app.put_json(Some(token), "/api/departments/market", &names).await, StatusCode::FORBIDDEN).await;
            expect(app.put_json(Some(token), "/api/settings/branding", &branding()).await, StatusCode::FORBIDDEN).await;
            expect(app.get(Some(token), "/api/settings/branding").await, StatusCode::FORBIDDEN).await;
        }
        expect(app.put_json(None, "/api/settings/branding", &branding()).await, StatusCode::UNAUTHORIZED).await;
        let stored = expect(app.get(Some(&app.admin), "/api/settings/branding").await, StatusCode::OK).await;
        assert_eq!(stored["authority_zh"], "", "nothing was set: {stored}");
        expect(app.put_json(Some(&app.admin), "/api/settings/branding", &branding()).await, StatusCode::OK).await;
        let stored = expect(app.get(Some(&app.admin), "/api/settings/branding").await, StatusCode::OK).await;
        assert_eq!(stored, branding());
    }

    async fn a_bad_name_or_setting_is_refused_naming_its_field(app) {
        let refused = async |path: &str, body: Value, field: &str| {
            let body = expect(app.put_json(Some(&app.admin), path, &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_setting"), Some(field)), "{body}");
        };
        let mut long = branding();
        long["contact"] = json!("电".repeat(201));
        refused("/api/settings/branding", long, "contact").await;
        let mut control = branding();
        control["icp_filing"] = json!("苏ICP备\u{7}号");
        refused("/api/settings/branding", control, "icp_filing").await;
        refused("/api/departments/market", json!({"name_zh": " ", "name_en": "Market"}), "name_zh").await;
        refused("/api/departments/market", json!({"name_zh": "市场", "name_en": "x\ny"}), "name_en").await;
        let unknown = json!({"name_zh": "教育局", "name_en": "Education"});
        let body = expect(app.put_json(Some(&app.admin), "/api/departments/education", &unknown).await, StatusCode::NOT_FOUND).await;
        assert!(body["message"].as_str().unwrap().contains("education"), "{body}");
        // 200 characters are taken.
        let mut longest = branding();
        longest["objection_channel"] = json!("异".repeat(200));
        expect(app.put_json(Some(&app.admin), "/api/settings/branding", &longest).await, StatusCode::OK).await;
        let (site, _) = public_site(&app).await;
        assert_eq!(site["branding"], longest, "only the good change was made");
        let departments = expect(app.get(Some(&app.market), "/api/departments").await, StatusCode::OK).await;
        assert_eq!(departments, json!([{"code": "health", "name_zh": "", "name_en": ""}, {"code": "market", "name_zh": "", "name_en": ""}]));
    }

    async fn the_public_site_answer_follows_every_change(app) {
        let (before, etag) = public_site(&app).await;
        assert_eq!(before["branding"]["authority_zh"], "");
        expect(app.put_json(Some(&app.admin), "/api/settings/branding", &branding()).await, StatusCode::OK).await;
        let again = app.client.get(app.url("/api/public/site")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::OK, "the old entity tag no longer holds");
        let (after, etag) = public_site(&app).await;
        assert_eq!(after["branding"], branding());
        let same = app.client.get(app.url("/api/public/site")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED);

        let names = json!({"name_zh": "市场监督管理局", "name_en": "Market Regulation Bureau"});
        let changed = expect(app.put_json(Some(&app.admin), "/api/departments/market", &names).await, StatusCode::OK).await;
        assert_eq!(changed, json!({"code": "market", "name_zh": "市场监督管理局", "name_en": "Market Regulation Bureau"}));
        let (site, _) = public_site(&app).await;
        assert_eq!(site["departments"], json!([{"code": "health", "name_zh": "", "name_en": ""}, changed]));
        let staff = expect(app.get(Some(&app.inspector_a), "/api/departments").await, StatusCode::OK).await;
        assert_eq!(staff, site["departments"]);
    }
}
