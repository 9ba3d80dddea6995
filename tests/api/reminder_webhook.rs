//! The daily reminder summary by webhook: posted to a small local HTTP
//! server once a day, from the configured hour, with every department's
//! reminders; not again the same day; again the next day; a receiver that
//! refused it gets it at the next look.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode as AxumStatus;
use chrono::Days;
use opendraw::service::reminder_webhook::ReminderWebhook;
use serde_json::Value;

use crate::inspections::{enter, target_of, task_with_assignments};
use crate::on_both_backends;

/// What the receiver got, and whether it answers the next POST with an error.
#[derive(Clone, Default)]
struct Receiver {
    bodies: Arc<Mutex<Vec<Value>>>,
    failing: Arc<Mutex<bool>>,
}

async fn receive(State(receiver): State<Receiver>, Json(body): Json<Value>) -> AxumStatus {
    if std::mem::take(&mut *receiver.failing.lock().unwrap()) {
        return AxumStatus::SERVICE_UNAVAILABLE;
    }
    receiver.bodies.lock().unwrap().push(body);
    AxumStatus::NO_CONTENT
}

/// A local HTTP server taking the webhook's POSTs; its address.
async fn receiver() -> (Receiver, String) {
    let receiver = Receiver::default();
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, address)
}

on_both_backends! {
    async fn the_summary_is_posted_once_a_day_with_each_departments_reminders(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        enter(&app, &app.inspector_a, task, &target, "rectify").await;
        let (receiver, url) = receiver().await;
        // Hour 0: the summary is due as soon as the day starts.
        let webhook = ReminderWebhook::new(&url, 0).unwrap();

        // Nothing is due yet: nothing is sent, and the day counts as done.
        let today = app.service.today();
        assert_eq!(webhook.send_if_due(&app.service, None).await, Some(today));
        assert!(receiver.bodies.lock().unwrap().is_empty());

        // Forty days on the result is overdue: the day's summary is sent once.
        app.clock.set(today + Days::new(40));
        let day = app.service.today();
        *receiver.failing.lock().unwrap() = true;
        assert_eq!(webhook.send_if_due(&app.service, Some(today)).await, Some(today), "a refused POST is not a sent day");
        assert_eq!(webhook.send_if_due(&app.service, Some(today)).await, Some(day));
        assert_eq!(webhook.send_if_due(&app.service, Some(day)).await, Some(day));
        let bodies = receiver.bodies.lock().unwrap().clone();
        assert_eq!(bodies.len(), 1, "once a day: {bodies:?}");
        let summary = &bodies[0];
        assert_eq!(summary["date"], day.to_string());
        let departments = summary["departments"].as_array().unwrap();
        assert_eq!(departments.len(), 1, "only the market department has anything to remind: {summary}");
        assert_eq!(departments[0]["department"], "market");
        let dashboard = crate::helpers::expect(app.get(Some(&app.market), "/api/dashboard").await, reqwest::StatusCode::OK).await;
        assert_eq!(departments[0]["reminders"], dashboard["reminders"], "the same reminders as the dashboard's");
        assert!(departments[0]["reminders"].as_array().unwrap().iter().any(|r| r["inspector"] == "M001" && r["overdue"] == 1));

        // The next day, again.
        app.clock.set(day + Days::new(1));
        webhook.send_if_due(&app.service, Some(day)).await;
        assert_eq!(receiver.bodies.lock().unwrap().len(), 2);
    }
}

#[test]
fn a_webhook_must_be_plain_http_and_its_hour_an_hour_of_the_day() {
    assert!(ReminderWebhook::new("https://example.org/hook", 8).unwrap_err().contains("http://"));
    assert!(ReminderWebhook::new("ftp://example.org", 8).is_err());
    assert!(ReminderWebhook::new("http://127.0.0.1:9/hook", 24).unwrap_err().contains("hour"));
    assert!(ReminderWebhook::new("http://127.0.0.1:9/hook", 23).is_ok());
}
