//! The audit trail: each staff action with its actor and address, for
//! admins only, paged and as CSV, and never a secret in it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;
use crate::sessions::{MARKET_PASSWORD, give_password, sign_in, signed_in};

const NEW_PASSWORD: &str = "another market password";

async fn all_entries(app: &TestApp) -> Vec<Value> {
    let page = expect(app.get(Some(&app.admin), "/api/audit?limit=1000").await, StatusCode::OK).await;
    page["entries"].as_array().unwrap().clone()
}

fn find<'a>(entries: &'a [Value], action: &str) -> &'a Value {
    entries
        .iter()
        .find(|entry| entry["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {entries:?}"))
}

/// Every kind of action once, over HTTP; the secrets it used.
async fn act(app: &TestApp) -> Vec<String> {
    let name = give_password(app, &app.market, MARKET_PASSWORD).await;
    expect(sign_in(app, &name, "a wrong password here").await, StatusCode::UNAUTHORIZED).await;
    let response = sign_in(app, &name, MARKET_PASSWORD).await;
    let cookie = crate::sessions::cookie_of(&response);
    let csrf = expect(response, StatusCode::CREATED).await["csrf_token"].as_str().unwrap().to_owned();
    let session = crate::sessions::Session { cookie: cookie.clone(), csrf: csrf.clone() };
    let change = json!({"current_password": MARKET_PASSWORD, "new_password": NEW_PASSWORD});
    expect(
        session.change(app, Method::PUT, "/api/me/password").json(&change).send().await.unwrap(),
        StatusCode::NO_CONTENT,
    )
    .await;
    let csv = "code,name,department\nFOOD-01,食品经营检查,market\nDRUG-01,药品经营检查,market\n";
    expect(
        session
            .change(app, Method::POST, "/api/items/import")
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let body = json!({"name": "new-admin", "role": "admin", "password": "the new admin's password"});
    let created =
        expect(app.post_json(Some(&app.admin), "/api/users", &body).await, StatusCode::CREATED).await;
    let id = created["user"]["id"].as_i64().unwrap();
    let patch = app
        .client
        .patch(app.url(&format!("/api/users/{id}")))
        .bearer_auth(&app.admin)
        .json(&json!({"disabled": true}));
    expect(patch.send().await.unwrap(), StatusCode::OK).await;
    let patch = app
        .client
        .patch(app.url(&format!("/api/users/{id}")))
        .bearer_auth(&app.admin)
        .json(&json!({"disabled": false}));
    expect(patch.send().await.unwrap(), StatusCode::OK).await;
    let reset = app
        .client
        .put(app.url(&format!("/api/users/{id}/password")))
        .bearer_auth(&app.admin)
        .json(&json!({"password": "a reset admin password"}));
    expect(reset.send().await.unwrap(), StatusCode::NO_CONTENT).await;
    let rotated: String = app
        .client
        .post(app.url(&format!("/api/users/{id}/token")))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    expect(session.change(app, Method::DELETE, "/api/session").send().await.unwrap(), StatusCode::NO_CONTENT)
        .await;
    let session_id = cookie.split_once('=').unwrap().1.to_owned();
    vec![
        MARKET_PASSWORD.into(),
        NEW_PASSWORD.into(),
        "a wrong password here".into(),
        "the new admin's password".into(),
        "a reset admin password".into(),
        created["token"].as_str().unwrap().into(),
        rotated,
        session_id,
        csrf,
        app.admin.clone(),
        app.market.clone(),
    ]
}

on_both_backends! {
    async fn each_staff_action_is_recorded_with_its_actor_and_address(app) {
        act(&app).await;
        let entries = all_entries(&app).await;
        let ids: Vec<i64> = entries.iter().map(|entry| entry["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|pair| pair[0] > pair[1]), "newest first: {ids:?}");
        let failed = find(&entries, "sign_in_failed");
        assert_eq!((failed["actor"].clone(), failed["subject"].as_str()), (Value::Null, Some("market-supervisor")));
        for (action, actor, subject) in [
            ("sign_in", "market-supervisor", "market-supervisor"),
            ("password_changed", "market-supervisor", "market-supervisor"),
            ("import", "market-supervisor", "items"),
            ("account_created", "admin", "new-admin"),
            ("account_changed", "admin", "new-admin"),
            ("password_reset", "admin", "new-admin"),
            ("token_rotated", "admin", "new-admin"),
            ("sign_out", "market-supervisor", "market-supervisor"),
        ] {
            let entry = find(&entries, action);
            assert_eq!((entry["actor"].as_str(), entry["subject"].as_str()), (Some(actor), Some(subject)), "{entry}");
            assert_eq!(entry["address"], "127.0.0.1", "{entry}");
            assert!(entry["at"].as_str().unwrap().ends_with('Z'), "{entry}");
        }
        assert_eq!(find(&entries, "import")["detail"], "2 rows");
        let changes: Vec<&str> = entries.iter().filter(|entry| entry["action"] == "account_changed").map(|entry| entry["detail"].as_str().unwrap()).collect();
        assert_eq!(changes, ["enabled", "disabled"]);
    }

    async fn the_trail_is_read_a_page_at_a_time(app) {
        act(&app).await;
        let all = all_entries(&app).await;
        let mut paged = Vec::new();
        let mut path = "/api/audit?limit=3".to_owned();
        loop {
            let page = expect(app.get(Some(&app.admin), &path).await, StatusCode::OK).await;
            paged.extend(page["entries"].as_array().unwrap().iter().cloned());
            match page["next"].as_i64() {
                Some(next) => path = format!("/api/audit?limit=3&after={next}"),
                None => break,
            }
        }
        assert_eq!(paged, all);
        let bad = expect(app.get(Some(&app.admin), "/api/audit?limit=0").await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(bad["field"], "limit");
    }

    async fn no_secret_appears_in_the_trail(app) {
        let secrets = act(&app).await;
        let json = expect(app.get(Some(&app.admin), "/api/audit?limit=1000").await, StatusCode::OK).await.to_string();
        let csv = app.get(Some(&app.admin), "/api/audit.csv").await.text().await.unwrap();
        assert!(csv.lines().count() > 10, "{csv}");
        for secret in secrets {
            assert!(!json.contains(&secret) && !csv.contains(&secret), "{secret} is in the trail");
        }
    }

    async fn the_csv_export_is_safe_to_open_in_a_spreadsheet(app) {
        expect(sign_in(&app, "=HYPERLINK(\"http://x\")", "a wrong password here").await, StatusCode::UNAUTHORIZED).await;
        let response = app.get(Some(&app.admin), "/api/audit.csv").await;
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = response.text().await.unwrap();
        assert!(csv.starts_with("\u{feff}id,at,actor,address,action,subject,detail\n"), "{csv}");
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"), "{csv}");
    }

    async fn a_refused_change_leaves_no_entry(app) {
        let before = all_entries(&app).await;
        let csv = "code,name,department\nFOOD-01,食品经营检查,health\n";
        expect(app.post_csv(&app.market, "/api/items/import", csv).await, StatusCode::FORBIDDEN).await;
        let me = expect(app.get(Some(&app.admin), "/api/me").await, StatusCode::OK).await["id"].as_i64().unwrap();
        let last = app.client.patch(app.url(&format!("/api/users/{me}"))).bearer_auth(&app.admin).json(&json!({"disabled": true}));
        expect(last.send().await.unwrap(), StatusCode::CONFLICT).await;
        let weak = json!({"name": "weak-one", "role": "admin", "password": "password1"});
        expect(app.post_json(Some(&app.admin), "/api/users", &weak).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(all_entries(&app).await, before, "nothing refused is recorded");
        let csv = "code,name,department\nFOOD-01,食品经营检查,market\n";
        expect(app.post_csv(&app.market, "/api/items/import", csv).await, StatusCode::OK).await;
        assert_eq!(find(&all_entries(&app).await, "import")["detail"], "1 row");
    }

    async fn a_supervisor_cannot_read_the_trail(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let session = signed_in(&app, &name, MARKET_PASSWORD).await;
        for path in ["/api/audit", "/api/audit.csv"] {
            expect(app.get(Some(&app.market), path).await, StatusCode::FORBIDDEN).await;
            expect(session.get(&app, path).await, StatusCode::FORBIDDEN).await;
            expect(app.get(Some(&app.inspector_a), path).await, StatusCode::FORBIDDEN).await;
            expect(app.get(None, path).await, StatusCode::UNAUTHORIZED).await;
        }
    }
}
