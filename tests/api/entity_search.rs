//! The public entity search (`/api/public/entities?q=`): by the start of a
//! code or part of a name, Chinese included; bounded; and finding only what
//! the entity page answers for by id, so a sealed draw shapes nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

async fn search(app: &TestApp, query: &str) -> Vec<Value> {
    let answer = expect(app.get(None, &format!("/api/public/entities?{query}")).await, StatusCode::OK).await;
    answer.as_array().unwrap().clone()
}

fn ids(found: &[Value]) -> Vec<&str> {
    found.iter().map(|entity| entity["id"].as_str().unwrap()).collect()
}

on_both_backends! {
    async fn a_code_prefix_finds_the_entities_whose_code_starts_with_it(app) {
        app.seed_directory().await;
        let found = search(&app, "q=T001").await;
        assert_eq!(ids(&found), ["T0010", "T0011", "T0012", "T0013", "T0014", "T0015", "T0016", "T0017", "T0018", "T0019"]);
        assert!(found.iter().all(|entity| entity["matched"] == "code"), "{found:?}");
        assert_eq!(found[0]["name"], "单位10");
        // A wildcard is a character like any other.
        assert_eq!(search(&app, "q=T00%25").await, Vec::<Value>::new());
    }

    async fn a_chinese_name_is_found_by_its_start_or_any_part(app) {
        app.seed_directory().await;
        let extra = "id,name,region,industry,risk_class,unit\n\
                     S1,城南华联超市有限公司,R1,零售,A,R1-bureau\n\
                     S2,华联超市连锁,R2,零售,B,R2-bureau\n\
                     S3,永辉超市,R3,零售,C,R3-bureau\n";
        expect(app.post_csv(&app.market, "/api/targets/import", extra).await, StatusCode::OK).await;
        // Part of a name, percent-encoded as a browser sends it; names
        // starting with it come first.
        let found = search(&app, "q=%E5%8D%8E%E8%81%94%E8%B6%85%E5%B8%82").await;
        assert_eq!(ids(&found), ["S2", "S1"]);
        assert!(found.iter().all(|entity| entity["matched"] == "name"));
        assert_eq!(ids(&search(&app, "q=超市").await), ["S2", "S1", "S3"]);
        // Two characters of the seeded names, with a limit.
        let found = search(&app, "q=单位&limit=5").await;
        assert_eq!(found.len(), 5);
        assert!(found.iter().all(|entity| entity["name"].as_str().unwrap().starts_with("单位")));
        // Spaces around the text are not part of it.
        assert_eq!(ids(&search(&app, "q=%20永辉%20").await), ["S3"]);
        assert_eq!(search(&app, "q=沃尔玛").await, Vec::<Value>::new());
    }

    async fn a_search_answers_the_same_before_and_after_a_sealed_draw(app) {
        app.seed_directory().await;
        let before = search(&app, "q=单位&limit=50").await;
        let before_codes = search(&app, "q=T00").await;
        let task = app.drawn_task().await;
        let drawn = app.service.store().pool();
        let in_selection: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drawn_targets WHERE task_id = $1")
            .bind(task).fetch_one(drawn).await.unwrap();
        assert!(in_selection > 0);
        // Nothing drawn is named, ranked or left out while the task is sealed.
        assert_eq!(search(&app, "q=单位&limit=50").await, before);
        assert_eq!(search(&app, "q=T00").await, before_codes);
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        assert_eq!(search(&app, "q=单位&limit=50").await, before);
    }

    async fn an_entity_only_a_committed_pool_holds_is_found_by_its_whole_code_only(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.service.index_pools().await.unwrap();
        sqlx::query("DELETE FROM targets WHERE id = 'T0007'").execute(app.service.store().pool()).await.unwrap();
        // A server of its own: the first keeps answers for a few seconds.
        let fresh = opendraw::service::Service::new(app.service.store().clone());
        let text = opendraw::service::entity_search::SearchText::parse("T0007").unwrap();
        let found: Value = serde_json::from_slice(&fresh.search_entities(&text, 20).await.unwrap().body).unwrap();
        assert_eq!(found, json!([{"id": "T0007", "name": null, "matched": "code"}]));
        let page = expect(app.get(None, "/api/public/entities/T0007").await, StatusCode::OK).await;
        assert_eq!(page["pools"][0]["task"], task);
        // Its name left with the directory row; an entity in no pool and
        // no directory is not found at all.
        let text = opendraw::service::entity_search::SearchText::parse("NOBODY").unwrap();
        let found: Value = serde_json::from_slice(&fresh.search_entities(&text, 20).await.unwrap().body).unwrap();
        assert_eq!(found, json!([]));
    }

    async fn a_search_out_of_bounds_is_refused_naming_the_parameter(app) {
        for (query, field) in [
            ("q=", "q"),
            ("q=%20%20", "q"),
            (&format!("q={}", "长".repeat(101)), "q"),
            ("q=a%01b", "q"),
            ("q=abc&limit=51", "limit"),
            ("q=abc&limit=0", "limit"),
            ("", "q"),
        ] {
            let answer = expect(app.get(None, &format!("/api/public/entities?{query}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(answer["code"], "invalid_query", "{query}");
            if query.is_empty() {
                continue;
            }
            assert_eq!(answer["field"], field, "{query}: {answer}");
        }
        // A hundred characters are allowed.
        search(&app, &format!("q={}", "长".repeat(100))).await;
    }
}
