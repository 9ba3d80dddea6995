//! The API as a signed-in account, beside the browser: what a page shows
//! is checked against what the server says (the step under test is always
//! done in the browser).

#![allow(dead_code)]

use crate::support::Server;

/// Signs `account` in through the API: its session cookie and CSRF token.
async fn sign_in_api(server: &Server, (name, password): (&str, &str)) -> (String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/session", server.address))
        .json(&serde_json::json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{name} signs in");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("opendraw_session="))
        .expect("a session cookie");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let session: serde_json::Value = response.json().await.unwrap();
    (cookie, session["csrf_token"].as_str().unwrap().to_owned())
}

/// A session cookie of `account`, from signing in through the API.
pub async fn session_cookie(server: &Server, account: (&str, &str)) -> String {
    sign_in_api(server, account).await.0
}

/// GETs `path` as `account`: the status and the JSON answer (null when none).
pub async fn get_as(server: &Server, account: (&str, &str), path: &str) -> (u16, serde_json::Value) {
    let cookie = session_cookie(server, account).await;
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

/// A request to `path` with `method` as `account`, as the console makes
/// it: session cookie, CSRF token and the console's origin.
pub async fn request_as(
    server: &Server,
    account: (&str, &str),
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    let (cookie, csrf_token) = sign_in_api(server, account).await;
    reqwest::Client::new()
        .request(method, format!("{}{path}", server.address))
        .header("Cookie", cookie)
        .header("X-CSRF-Token", csrf_token)
        .header("Origin", &server.address)
}

/// Sends `body` (JSON) to `path` with `method` as `account`: the status and
/// the JSON answer (null when none).
pub async fn send_as(
    server: &Server,
    account: (&str, &str),
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = request_as(server, account, method, path).await.json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}
