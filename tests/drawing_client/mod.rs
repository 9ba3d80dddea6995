//! A supervisor of the market department who drives a server process over
//! HTTP, as a real client does: fills the directories, commits a task
//! whose entropy event is seconds away, and draws it.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Dice faces, the public entropy of every draw here.
pub const DICE: &str = "31415326535641526354";

/// A supervisor's account on `database`, made with `opendraw user add`;
/// returns its token.
pub fn add_supervisor(database: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args(["user", "add", "--database-url", database, "--role", "supervisor", "--department", "market"])
        .arg("supervisor")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

pub struct Supervisor {
    pub client: reqwest::Client,
    pub address: String,
    pub token: String,
}

impl Supervisor {
    pub fn new(address: &str, token: &str) -> Self {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        Self { client, address: address.to_owned(), token: token.to_owned() }
    }

    async fn post(&self, path: &str, body: reqwest::Body, json: bool) -> Value {
        let mut request =
            self.client.post(format!("{}{path}", self.address)).bearer_auth(&self.token).body(body);
        if json {
            request = request.header("content-type", "application/json");
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "POST {path}: {status}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// One item (FOOD-01), `inspectors` inspectors qualified for it and
    /// `targets` targets.
    pub async fn fill_directories(&self, targets: u32, inspectors: u32) {
        self.post("/api/items/import", "code,name,department\nFOOD-01,食品经营检查,market\n".into(), false)
            .await;
        let mut csv = String::from("id,name,department,unit,region,items,certificate_expires\n");
        for index in 1..=inspectors {
            csv.push_str(&format!(
                "M{index:04},检查员{index},market,unit-{},R1,FOOD-01,2030-12-31\n",
                index % 5
            ));
        }
        self.post("/api/inspectors/import", csv.into(), false).await;
        let mut csv = String::from("id,name,region,industry,risk_class,unit\n");
        for index in 1..=targets {
            csv.push_str(&format!("T{index:06},单位{index},R{},餐饮服务,B,bureau\n", index % 3));
        }
        self.post("/api/targets/import", csv.into(), false).await;
    }

    /// A committed task drawing `count` targets, and the moment its entropy
    /// event has passed (a second or two from now: a server's clock cannot
    /// be moved from outside).
    pub async fn committed_task(&self, count: u32) -> (i64, Instant) {
        let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let event = (chrono::Utc::now() + chrono::Duration::seconds(2)).with_timezone(&beijing);
        let definition = json!({
            "name": "Operations test",
            "items": ["FOOD-01"],
            "quota": {"count": count},
            "certificate_date": "2026-12-01",
            "entropy": {"format": "dice", "source": "dice at the test", "min_length": 20,
                "event_at": event.format("%Y-%m-%dT%H:%M:%S%:z").to_string()}
        });
        let task = self.post("/api/tasks", definition.to_string().into(), true).await;
        let id = task["id"].as_i64().unwrap();
        self.post(&format!("/api/tasks/{id}/commit"), "{}".into(), true).await;
        (id, Instant::now() + Duration::from_secs(3))
    }

    /// The draw of task `id`, sent once its entropy event has passed.
    pub async fn draw(&self, id: i64, due: Instant) -> reqwest::Result<reqwest::Response> {
        tokio::time::sleep_until(due.into()).await;
        self.client
            .post(format!("{}/api/tasks/{id}/draw", self.address))
            .bearer_auth(&self.token)
            .json(&json!({"entropy": DICE}))
            .send()
            .await
    }
}

/// `opendraw log verify` of the database: its report, or a panic.
pub fn log_verifies(database: &str) -> String {
    let output =
        Command::new(env!("CARGO_BIN_EXE_opendraw")).args(["log", "verify", database]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the log does not verify:\n{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}
