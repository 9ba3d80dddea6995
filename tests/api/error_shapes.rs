//! Every error has the one JSON shape `{code, message, field?}`, also when
//! the framework answers before a handler runs (a method a path does not
//! take, a body over its limit); paging parameters out of range are refused
//! naming the parameter; and a caller without the right is refused, not
//! shown an empty list.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::inspections::task_with_assignments;
use crate::on_both_backends;

/// Checks the status and that the body is the API's error object.
async fn error(response: Response, status: StatusCode) -> Value {
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let body = expect(response, status).await;
    assert_eq!(content_type.as_deref(), Some("application/json"), "{body}");
    let object = body.as_object().unwrap_or_else(|| panic!("not a JSON object: {body}"));
    assert!(object["code"].is_string() && object["message"].is_string(), "{body}");
    assert!(object.keys().all(|key| ["code", "message", "field"].contains(&key.as_str())), "{body}");
    body
}

async fn send(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

on_both_backends! {
    async fn a_method_a_path_does_not_take_gets_405_in_the_error_shape_with_allow(app) {
        for (method, path, allowed) in [
            (Method::DELETE, "/api/tasks", "GET,HEAD,POST"),
            (Method::PATCH, "/api/public/tasks/1", "GET,HEAD"),
            (Method::GET, "/api/tasks/1/commit", "POST"),
            (Method::POST, "/api/openapi.json", "GET,HEAD"),
        ] {
            let response = send(&app, method.clone(), path, Some(&app.market)).await;
            let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().replace(' ', ""));
            let body = error(response, StatusCode::METHOD_NOT_ALLOWED).await;
            assert_eq!(body["code"], "method_not_allowed", "{method} {path}");
            assert!(body["message"].as_str().unwrap().contains(path), "{body}");
            let mut allow: Vec<_> = allow.unwrap_or_default().split(',').map(str::to_owned).collect();
            allow.sort();
            assert_eq!(allow.join(","), allowed, "{method} {path}");
        }
    }

    async fn a_body_over_the_framework_limit_gets_413_in_the_error_shape(app) {
        app.seed_directory().await;
        let id = app.drawn_task().await;
        let body = format!("{{\"release_early\": true, \"padding\": \"{}\"}}", "x".repeat(3 << 20));
        let response = app.client.post(app.url(&format!("/api/tasks/{id}/reveal")))
            .bearer_auth(&app.market)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let body = error(response, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert_eq!(body["code"], "payload_too_large");
        let task = expect(app.get(Some(&app.market), &format!("/api/tasks/{id}")).await, StatusCode::OK).await;
        assert_eq!(task["state"], "drawn", "nothing was changed");
    }

    async fn bad_headers_and_unknown_paths_get_the_error_shape(app) {
        let wrong_scheme = app.client.get(app.url("/api/tasks")).header("authorization", "Basic abc").send().await.unwrap();
        assert_eq!(error(wrong_scheme, StatusCode::UNAUTHORIZED).await["code"], "unauthorized");
        let not_json = app.client.post(app.url("/api/tasks")).bearer_auth(&app.market)
            .header("content-type", "text/plain").body("{}").send().await.unwrap();
        error(not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        let key = app.client.post(app.url("/api/tasks")).bearer_auth(&app.market)
            .header("idempotency-key", "").json(&json!({})).send().await.unwrap();
        error(key, StatusCode::UNPROCESSABLE_ENTITY).await;
        error(send(&app, Method::GET, "/api/no/such/thing", None).await, StatusCode::NOT_FOUND).await;
        error(send(&app, Method::GET, "/api/tasks/not-a-number", Some(&app.market)).await, StatusCode::NOT_FOUND).await;
    }

    async fn a_nul_character_in_a_query_is_refused_naming_the_parameter(app) {
        app.seed_directory().await;
        for (url, field) in [
            ("/api/public/results?region=%E5%8C%97%00", Some("region")),
            ("/api/public/entities?q=a%00b", Some("q")),
            ("/api/targets?after=%00", Some("after")),
            ("/api/targets?q%00=1", None),
        ] {
            let body = error(app.get(Some(&app.market), url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["code"], "invalid_query", "{url}: {body}");
            assert_eq!(body["field"].as_str(), field, "{url}: {body}");
        }
        expect(app.get(None, "/api/public/results?region=%E5%8C%97").await, StatusCode::OK).await;
    }

    async fn paging_parameters_out_of_range_are_refused_naming_the_parameter(app) {
        app.seed_directory().await;
        let lists = [
            ("/api/targets", &["limit"][..]),
            ("/api/public/log", &["limit", "after"][..]),
            ("/api/public/results", &["limit", "offset"][..]),
        ];
        for (path, parameters) in lists {
            for parameter in parameters {
                let zero_is_valid = *parameter != "limit";
                let mut bad = vec!["-1", "abc", "1.5", "", "99999999999999999999"];
                if !zero_is_valid {
                    bad.extend(["0", "100000"]);
                }
                for value in bad {
                    let url = format!("{path}?{parameter}={value}");
                    let body = error(app.get(Some(&app.market), &url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
                    assert_eq!(body["field"], *parameter, "{url}: {body}");
                    assert_eq!(body["code"], "invalid_query", "{url}: {body}");
                }
                let first = if zero_is_valid { "0" } else { "1" };
                let url = format!("{path}?{parameter}={first}");
                expect(app.get(Some(&app.market), &url).await, StatusCode::OK).await;
            }
        }
        for url in ["/api/calendar?year=-1", "/api/calendar?year=0", "/api/calendar?year=10000"] {
            let body = error(app.get(Some(&app.market), url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["field"], "year", "{url}: {body}");
        }
        // The CSV export holds every matching result: paging is refused there.
        for url in ["/api/public/results.csv?limit=1", "/api/public/results.csv?offset=5", "/api/public/results.csv?limit=-1"] {
            let body = error(app.get(None, url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["code"], "invalid_query", "{url}: {body}");
            assert!(["limit", "offset"].contains(&body["field"].as_str().unwrap()), "{url}: {body}");
        }
        let one = expect(app.get(Some(&app.market), "/api/targets?limit=1").await, StatusCode::OK).await;
        assert_eq!(one.as_array().unwrap().len(), 1);
        app.drawn_task().await;
        let page = expect(app.get(None, "/api/public/log?limit=2").await, StatusCode::OK).await;
        assert_eq!(page["entries"].as_array().unwrap().len(), 2);
        for (url, field) in [
            ("/api/results?task=abc", "task"),
            ("/api/ledger?task=1.5", "task"),
            ("/api/calendar?year=twenty", "year"),
            ("/api/public/results?task=-", "task"),
        ] {
            let body = error(app.get(Some(&app.market), url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["field"], field, "{url}: {body}");
        }
    }

    async fn a_supervisor_without_the_right_is_refused_not_shown_an_empty_list(app) {
        let task = task_with_assignments(&app, true).await;
        // The task's only item is market's: health reviews nothing in it.
        let publish = format!("/api/tasks/{task}/results/publish");
        let refused = error(app.post_json(Some(&app.health), &publish, &json!({})).await, StatusCode::FORBIDDEN).await;
        assert_eq!(refused["code"], "forbidden");
        for path in [format!("/api/results?task={task}"), format!("/api/ledger?task={task}"), format!("/api/ledger.csv?task={task}")] {
            error(app.get(Some(&app.health), &path).await, StatusCode::FORBIDDEN).await;
            expect(app.get(Some(&app.market), &path).await, StatusCode::OK).await;
        }
        expect(app.post_json(Some(&app.market), &publish, &json!({})).await, StatusCode::OK).await;
        // A task that does not exist gets the same refusal as one the
        // caller does not review: the answer says nothing about either.
        let missing = error(app.post_json(Some(&app.market), "/api/tasks/9999/results/publish", &json!({})).await, StatusCode::FORBIDDEN).await;
        assert_eq!(missing["code"], "forbidden");
        error(app.post_json(Some(&app.inspector_a), &publish, &json!({})).await, StatusCode::FORBIDDEN).await;

        let sealed = app.drawn_task().await;
        let sealed_publish = format!("/api/tasks/{sealed}/results/publish");
        let body = error(app.post_json(Some(&app.market), &sealed_publish, &json!({})).await, StatusCode::CONFLICT).await;
        assert_eq!(body["code"], "task_sealed", "nothing of a sealed task can be published: {body}");
    }
}
