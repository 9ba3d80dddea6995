//! Signing in with a name and password: the session cookie, its CSRF
//! token, its ends (sign-out, idle timeout, absolute expiry), and the
//! answers to wrong and repeated attempts.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

pub const ADMIN_PASSWORD: &str = "admin password for the test";
pub const MARKET_PASSWORD: &str = "market password for the test";

/// Gives the account of `token` the password `password`; its name.
pub async fn give_password(app: &TestApp, token: &str, password: &str) -> String {
    let me = expect(app.get(Some(token), "/api/me").await, StatusCode::OK).await;
    app.service.reset_password(None, me["id"].as_i64().unwrap(), password).await.unwrap();
    me["name"].as_str().unwrap().to_owned()
}

pub async fn sign_in(app: &TestApp, name: &str, password: &str) -> Response {
    let body = json!({"username": name, "password": password});
    app.client.post(app.url("/api/session")).json(&body).send().await.unwrap()
}

/// A signed-in session: the `Cookie` header to send, and its CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub async fn signed_in(app: &TestApp, name: &str, password: &str) -> Session {
    let response = sign_in(app, name, password).await;
    let cookie = cookie_of(&response);
    let body = expect(response, StatusCode::CREATED).await;
    Session { cookie, csrf: body["csrf_token"].as_str().unwrap().to_owned() }
}

/// `name=value` of the response's Set-Cookie.
pub fn cookie_of(response: &Response) -> String {
    let header = response.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().to_owned()
}

/// The admin, signed in.
pub async fn admin_session(app: &TestApp) -> Session {
    let name = give_password(app, &app.admin, ADMIN_PASSWORD).await;
    signed_in(app, &name, ADMIN_PASSWORD).await
}

impl Session {
    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        app.client.get(app.url(path)).header("cookie", &self.cookie).send().await.unwrap()
    }

    /// A change with the session's cookie and CSRF token.
    pub fn change(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        app.client
            .request(method, app.url(path))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
}

async fn user_names(app: &TestApp) -> Vec<String> {
    let users = expect(app.get(Some(&app.admin), "/api/users").await, StatusCode::OK).await;
    users.as_array().unwrap().iter().map(|user| user["name"].as_str().unwrap().to_owned()).collect()
}

on_both_backends! {
    async fn signing_in_sets_a_strict_http_only_cookie_and_answers_the_session(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let response = sign_in(&app, &name, MARKET_PASSWORD).await;
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
        let body = expect(response, StatusCode::CREATED).await;
        assert!(cookie.starts_with("opendraw_session="), "{cookie}");
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.split("; ").any(|part| part == flag), "{flag} in {cookie}");
        }
        assert!(!cookie.contains("Secure"), "not over HTTPS: {cookie}");
        assert_eq!(body["user"]["name"], "market-supervisor");
        assert_eq!(body["user"]["department"], "market");
        assert_eq!(body["csrf_token"].as_str().unwrap().len(), 43);
        assert_eq!(body["idle_timeout_seconds"], 1800);
        let expires: chrono::DateTime<chrono::Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
        let hours = (expires - app.clock.now()).num_minutes() as f64 / 60.0;
        assert!((11.9..=12.0).contains(&hours), "{hours}");
        assert!(!body.to_string().contains(cookie.split(['=', ';']).nth(1).unwrap()), "the cookie is not in the body");
    }

    async fn the_session_cookie_authenticates_staff_requests(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let session = signed_in(&app, &name, MARKET_PASSWORD).await;
        let me = expect(session.get(&app, "/api/me").await, StatusCode::OK).await;
        assert_eq!(me["name"], "market-supervisor");
        let current = expect(session.get(&app, "/api/session").await, StatusCode::OK).await;
        assert_eq!(current["csrf_token"].as_str().unwrap(), session.csrf);
        assert_eq!(current["user"]["name"], "market-supervisor");
        expect(app.get(None, "/api/session").await, StatusCode::UNAUTHORIZED).await;
        let forged = app.client.get(app.url("/api/me")).header("cookie", "opendraw_session=forged").send().await.unwrap();
        let body = expect(forged, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["code"], "unauthorized");
    }

    async fn a_cookie_change_without_the_csrf_token_or_from_another_origin_is_refused(app) {
        let session = admin_session(&app).await;
        let before = user_names(&app).await;
        let body = json!({"name": "new-admin", "role": "admin"});
        let bare = app.client.post(app.url("/api/users")).header("cookie", &session.cookie).json(&body);
        let wrong = bare.try_clone().unwrap().header("x-csrf-token", &session.csrf[1..]);
        let foreign = session.change(&app, reqwest::Method::POST, "/api/users").header("origin", "http://evil.example").json(&body);
        let null = session.change(&app, reqwest::Method::POST, "/api/users").header("origin", "null").json(&body);
        for request in [bare, wrong, foreign, null] {
            let refused = expect(request.send().await.unwrap(), StatusCode::FORBIDDEN).await;
            assert_eq!(refused["code"], "csrf", "{refused}");
        }
        assert_eq!(user_names(&app).await, before, "nothing was created");
        let origin = app.address.clone();
        let request = session.change(&app, reqwest::Method::POST, "/api/users").header("origin", origin).json(&body);
        expect(request.send().await.unwrap(), StatusCode::CREATED).await;
    }

    async fn a_sign_in_from_another_origin_is_refused(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let body = json!({"username": name, "password": MARKET_PASSWORD});
        let response = app.client.post(app.url("/api/session")).header("origin", "https://evil.example").json(&body).send().await.unwrap();
        assert!(response.headers().get("set-cookie").is_none());
        assert_eq!(expect(response, StatusCode::FORBIDDEN).await["code"], "csrf");
    }

    async fn signing_out_ends_the_session_and_clears_the_cookie(app) {
        let session = admin_session(&app).await;
        let without = app.client.delete(app.url("/api/session")).header("cookie", &session.cookie).send().await.unwrap();
        assert_eq!(expect(without, StatusCode::FORBIDDEN).await["code"], "csrf");
        expect(session.get(&app, "/api/session").await, StatusCode::OK).await;
        let response = session.change(&app, reqwest::Method::DELETE, "/api/session").send().await.unwrap();
        let cleared = response.headers()["set-cookie"].to_str().unwrap().to_owned();
        expect(response, StatusCode::NO_CONTENT).await;
        assert!(cleared.starts_with("opendraw_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
        expect(session.get(&app, "/api/session").await, StatusCode::UNAUTHORIZED).await;
        expect(session.get(&app, "/api/me").await, StatusCode::UNAUTHORIZED).await;
    }

    async fn a_session_ends_after_thirty_idle_minutes(app) {
        let session = admin_session(&app).await;
        app.clock.advance(Duration::from_secs(29 * 60));
        expect(session.get(&app, "/api/me").await, StatusCode::OK).await;
        app.clock.advance(Duration::from_secs(29 * 60));
        expect(session.get(&app, "/api/me").await, StatusCode::OK).await;
        app.clock.advance(Duration::from_secs(31 * 60));
        expect(session.get(&app, "/api/me").await, StatusCode::UNAUTHORIZED).await;
    }

    async fn a_session_ends_twelve_hours_after_sign_in_however_busy(app) {
        let session = admin_session(&app).await;
        for _ in 0..24 {
            app.clock.advance(Duration::from_secs(29 * 60));
            expect(session.get(&app, "/api/me").await, StatusCode::OK).await;
        }
        app.clock.advance(Duration::from_secs(29 * 60));
        expect(session.get(&app, "/api/me").await, StatusCode::UNAUTHORIZED).await;
    }

    async fn a_wrong_password_and_an_unknown_name_get_the_same_answer(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        let wrong = sign_in(&app, &name, "not the password at all").await;
        assert!(wrong.headers().get("set-cookie").is_none());
        let wrong = expect(wrong, StatusCode::UNAUTHORIZED).await;
        let unknown = expect(sign_in(&app, "nobody-here", "not the password at all").await, StatusCode::UNAUTHORIZED).await;
        let tokenless = expect(sign_in(&app, "health-supervisor", "not the password at all").await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(wrong["code"], "bad_credentials");
        assert_eq!(wrong, unknown);
        assert_eq!(wrong, tokenless, "an account without a password answers the same");
    }

    async fn five_failed_sign_ins_hold_the_account_even_with_the_right_password(app) {
        let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
        for _ in 0..5 {
            expect(sign_in(&app, &name, "a wrong password guess").await, StatusCode::UNAUTHORIZED).await;
        }
        let held = sign_in(&app, &name, MARKET_PASSWORD).await;
        let wait: u64 = held.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((800..=900).contains(&wait), "{wait}");
        assert_eq!(expect(held, StatusCode::TOO_MANY_REQUESTS).await["code"], "too_many_failed_attempts");
        for _ in 0..5 {
            expect(sign_in(&app, "nobody-here", "a wrong password guess").await, StatusCode::UNAUTHORIZED).await;
        }
        expect(sign_in(&app, "nobody-here", "a wrong password guess").await, StatusCode::TOO_MANY_REQUESTS).await;
        let admin = give_password(&app, &app.admin, ADMIN_PASSWORD).await;
        expect(sign_in(&app, &admin, ADMIN_PASSWORD).await, StatusCode::CREATED).await;
        app.clock.advance(Duration::from_secs(15 * 60 + 1));
        expect(sign_in(&app, &name, MARKET_PASSWORD).await, StatusCode::CREATED).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_secure_when_the_server_is_told_it_is_reached_over_https() {
    let limits = opendraw::http::limits::Limits { secure_cookies: true, ..Default::default() };
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, limits, None).await;
    let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
    let response = sign_in(&app, &name, MARKET_PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    expect(response, StatusCode::CREATED).await;
    assert!(cookie.split("; ").any(|part| part == "Secure"), "{cookie}");
}

/// Failed sign-ins count against the client's address too, whatever names
/// they try: once held, the address is answered 429 before any password is
/// checked, even a right one.
async fn failed_sign_ins_from_one_address_hold_it_whatever_the_names(backend: crate::helpers::Backend) {
    let limits = opendraw::http::limits::Limits {
        auth_failures_per_minute: std::num::NonZeroU32::new(3).unwrap(),
        ..Default::default()
    };
    let app = TestApp::spawn_with(backend, limits, None).await;
    let name = give_password(&app, &app.market, MARKET_PASSWORD).await;
    for guess in ["first-name", "second-name", "third-name"] {
        expect(sign_in(&app, guess, "a wrong password guess").await, StatusCode::UNAUTHORIZED).await;
    }
    let held = sign_in(&app, "fourth-name", "a wrong password guess").await;
    assert!(held.headers().contains_key("retry-after"));
    assert_eq!(expect(held, StatusCode::TOO_MANY_REQUESTS).await["code"], "too_many_failed_attempts");
    let right = sign_in(&app, &name, MARKET_PASSWORD).await;
    assert!(right.headers().get("set-cookie").is_none());
    expect(right, StatusCode::TOO_MANY_REQUESTS).await;
    expect(app.get(Some(&app.market), "/api/me").await, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_from_one_address_hold_it_whatever_the_names_sqlite() {
    failed_sign_ins_from_one_address_hold_it_whatever_the_names(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_from_one_address_hold_it_whatever_the_names_postgres() {
    failed_sign_ins_from_one_address_hold_it_whatever_the_names(crate::helpers::Backend::Postgres).await;
}
