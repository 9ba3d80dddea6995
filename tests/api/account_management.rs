//! Passwords and accounts: changing one's own password, an admin's
//! account changes and password resets, and what each ends.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;
use crate::sessions::{MARKET_PASSWORD, admin_session, give_password, sign_in, signed_in};

const NEW_PASSWORD: &str = "a brand new market password";

async fn my_id(app: &TestApp, token: &str) -> i64 {
    expect(app.get(Some(token), "/api/me").await, StatusCode::OK).await["id"].as_i64().unwrap()
}

async fn accounts(app: &TestApp) -> Value {
    expect(app.get(Some(&app.admin), "/api/users").await, StatusCode::OK).await
}

fn with_token(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(token)
}

on_both_backends! {
    async fn changing_my_password_ends_my_other_sessions_only(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let this = signed_in(&app, &name, MARKET_PASSWORD).await;
        let other = signed_in(&app, &name, MARKET_PASSWORD).await;
        let body = json!({"current_password": MARKET_PASSWORD, "new_password": NEW_PASSWORD});
        let changed = this.change(&app, Method::PUT, "/api/me/password").json(&body).send().await.unwrap();
        expect(changed, StatusCode::NO_CONTENT).await;
        expect(this.get(&app, "/api/me").await, StatusCode::OK).await;
        expect(other.get(&app, "/api/me").await, StatusCode::UNAUTHORIZED).await;
        expect(sign_in(&app, &name, MARKET_PASSWORD).await, StatusCode::UNAUTHORIZED).await;
        expect(sign_in(&app, &name, NEW_PASSWORD).await, StatusCode::CREATED).await;
        expect(app.get(Some(&app.market), "/api/me").await, StatusCode::OK).await;
    }

    async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let session = signed_in(&app, &name, MARKET_PASSWORD).await;
        let wrong = json!({"current_password": "not the current one", "new_password": NEW_PASSWORD});
        let refused = session.change(&app, Method::PUT, "/api/me/password").json(&wrong).send().await.unwrap();
        let refused = expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("bad_credentials"), Some("current_password")));
        for weak in ["short", "password123", "QWERTYUIOP", "market-supervisor", &"x".repeat(257)] {
            let body = json!({"current_password": MARKET_PASSWORD, "new_password": weak});
            let refused = session.change(&app, Method::PUT, "/api/me/password").json(&body).send().await.unwrap();
            let refused = expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("weak_password"), Some("new_password")), "{weak}");
        }
        expect(session.get(&app, "/api/me").await, StatusCode::OK).await;
        expect(sign_in(&app, &name, MARKET_PASSWORD).await, StatusCode::CREATED).await;
    }

    async fn an_admin_creates_an_account_that_signs_in_with_its_password(app) {
        let weak = json!({"name": "new-supervisor", "role": "supervisor", "department": "market", "password": "password1"});
        let refused = expect(app.post_json(Some(&app.admin), "/api/users", &weak).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("weak_password"), Some("password")));
        assert_eq!(accounts(&app).await.as_array().unwrap().len(), 5, "nothing was created");
        let body = json!({"name": "new-supervisor", "role": "supervisor", "department": "market", "password": NEW_PASSWORD});
        let created = expect(app.post_json(Some(&app.admin), "/api/users", &body).await, StatusCode::CREATED).await;
        assert!(created["token"].as_str().unwrap().starts_with("od_"));
        let session = expect(sign_in(&app, "new-supervisor", NEW_PASSWORD).await, StatusCode::CREATED).await;
        assert_eq!(session["user"]["department"], "market");
        let listed = accounts(&app).await;
        let new = listed.as_array().unwrap().iter().find(|account| account["name"] == "new-supervisor").unwrap().clone();
        assert_eq!((new["has_password"].as_bool(), new["disabled"].as_bool()), (Some(true), Some(false)));
        assert!(new["created_at"].as_str().unwrap().ends_with('Z'));
        let tokened = listed.as_array().unwrap().iter().find(|account| account["name"] == "health-supervisor").unwrap().clone();
        assert_eq!(tokened["has_password"], false);
    }

    async fn an_admin_reset_sets_the_password_and_ends_the_accounts_sessions(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let session = signed_in(&app, &name, MARKET_PASSWORD).await;
        let id = my_id(&app, &app.market).await;
        let path = format!("/api/users/{id}/password");
        let weak = expect(with_token(&app, Method::PUT, &path, &app.admin).json(&json!({"password": "market-supervisor"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(weak["code"], "weak_password");
        expect(session.get(&app, "/api/me").await, StatusCode::OK).await;
        let reset = with_token(&app, Method::PUT, &path, &app.admin).json(&json!({"password": NEW_PASSWORD})).send().await.unwrap();
        expect(reset, StatusCode::NO_CONTENT).await;
        expect(session.get(&app, "/api/me").await, StatusCode::UNAUTHORIZED).await;
        expect(sign_in(&app, &name, NEW_PASSWORD).await, StatusCode::CREATED).await;
        let missing = with_token(&app, Method::PUT, "/api/users/999/password", &app.admin).json(&json!({"password": NEW_PASSWORD})).send().await.unwrap();
        expect(missing, StatusCode::NOT_FOUND).await;
    }

    async fn an_admin_changes_an_account_and_disabling_it_ends_its_sessions(app) {
        app.seed_directory().await;
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let session = signed_in(&app, &name, MARKET_PASSWORD).await;
        let id = my_id(&app, &app.market).await;
        let path = format!("/api/users/{id}");
        let moved = with_token(&app, Method::PATCH, &path, &app.admin).json(&json!({"department": "health"})).send().await.unwrap();
        let moved = expect(moved, StatusCode::OK).await;
        assert_eq!((moved["department"].as_str(), moved["role"].as_str()), (Some("health"), Some("supervisor")));
        assert_eq!(expect(app.get(Some(&app.market), "/api/me").await, StatusCode::OK).await["department"], "health");
        let nowhere = with_token(&app, Method::PATCH, &path, &app.admin).json(&json!({"department": "police"})).send().await.unwrap();
        assert_eq!(expect(nowhere, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "department");
        let cleared = with_token(&app, Method::PATCH, &path, &app.admin).json(&json!({"department": null})).send().await.unwrap();
        assert_eq!(expect(cleared, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "department", "a supervisor keeps a department");
        let disabled = with_token(&app, Method::PATCH, &path, &app.admin).json(&json!({"disabled": true})).send().await.unwrap();
        assert_eq!(expect(disabled, StatusCode::OK).await["disabled"], true);
        expect(session.get(&app, "/api/me").await, StatusCode::UNAUTHORIZED).await;
        expect(app.get(Some(&app.market), "/api/me").await, StatusCode::UNAUTHORIZED).await;
        let refused = expect(sign_in(&app, &name, MARKET_PASSWORD).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(refused["code"], "bad_credentials");
        let listed = accounts(&app).await;
        assert!(listed.as_array().unwrap().iter().any(|account| account["name"] == "market-supervisor" && account["disabled"] == true));
        let enabled = with_token(&app, Method::PATCH, &path, &app.admin).json(&json!({"disabled": false})).send().await.unwrap();
        expect(enabled, StatusCode::OK).await;
        expect(sign_in(&app, &name, MARKET_PASSWORD).await, StatusCode::CREATED).await;
    }

    async fn no_change_leaves_no_enabled_admin(app) {
        let id = my_id(&app, &app.admin).await;
        let path = format!("/api/users/{id}");
        for change in [json!({"disabled": true}), json!({"role": "supervisor", "department": "market"})] {
            let refused = with_token(&app, Method::PATCH, &path, &app.admin).json(&change).send().await.unwrap();
            assert_eq!(expect(refused, StatusCode::CONFLICT).await["code"], "last_admin", "{change}");
        }
        let me = expect(app.get(Some(&app.admin), "/api/me").await, StatusCode::OK).await;
        assert_eq!(me["role"], "admin");
        // With a second admin, the first may step down.
        let market = my_id(&app, &app.market).await;
        let promoted = with_token(&app, Method::PATCH, &format!("/api/users/{market}"), &app.admin).json(&json!({"role": "admin", "department": null})).send().await.unwrap();
        assert_eq!(expect(promoted, StatusCode::OK).await["role"], "admin");
        expect(with_token(&app, Method::PATCH, &path, &app.admin).json(&json!({"disabled": true})).send().await.unwrap(), StatusCode::OK).await;
    }

    async fn a_supervisor_cannot_manage_accounts_and_changes_nothing(app) {
        give_password(&app, &app.health, "health password for the test").await;
        let before = accounts(&app).await;
        let admin = my_id(&app, &app.admin).await;
        let market = &app.market;
        let attempts = [
            with_token(&app, Method::GET, "/api/users", market),
            with_token(&app, Method::POST, "/api/users", market).json(&json!({"name": "x-admin", "role": "admin", "password": NEW_PASSWORD})),
            with_token(&app, Method::PATCH, &format!("/api/users/{admin}"), market).json(&json!({"disabled": true})),
            with_token(&app, Method::PUT, &format!("/api/users/{admin}/password"), market).json(&json!({"password": NEW_PASSWORD})),
            with_token(&app, Method::GET, "/api/audit", market),
            with_token(&app, Method::GET, "/api/audit.csv", market),
        ];
        for attempt in attempts {
            let answer = attempt.send().await.unwrap();
            assert_eq!(expect(answer, StatusCode::FORBIDDEN).await["code"], "forbidden");
        }
        assert_eq!(accounts(&app).await, before, "nothing changed");
        expect(sign_in(&app, "admin", NEW_PASSWORD).await, StatusCode::UNAUTHORIZED).await;
        // The same through a signed-in supervisor's session.
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let session = signed_in(&app, &name, MARKET_PASSWORD).await;
        let reset = session.change(&app, Method::PUT, &format!("/api/users/{admin}/password")).json(&json!({"password": NEW_PASSWORD})).send().await.unwrap();
        expect(reset, StatusCode::FORBIDDEN).await;
        let admin_session = admin_session(&app).await;
        expect(admin_session.get(&app, "/api/users").await, StatusCode::OK).await;
    }
}
