//! Tasks, for supervisors of the lead department: drafts, and the
//! lifecycle — commit, draw, reveal, abandon.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Json, Path, SmallBody, Staff};
use super::idempotency::once;
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::domain::task_definition::TaskDefinition;
use crate::service::ServiceError;
use crate::service::dashboard::Dashboard;
use crate::service::drand_draws::DrandRoundView;
use crate::service::dry_run::DryRun;
use crate::service::lifecycle::DrandRoundInput;
use crate::service::selection::TaskSelection;
use crate::service::tasks::TaskView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(commit))
        .routes(routes!(draw))
        .routes(routes!(drand_round))
        .routes(routes!(reveal))
        .routes(routes!(abandon))
        .routes(routes!(selection))
        .routes(routes!(dry_run))
        .routes(routes!(dashboard))
}

/// The tasks of the caller's department, newest first.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", security(("token" = [])),
    responses((status = 200, body = Vec<TaskView>), Unauthorized, Forbidden))]
pub async fn list(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Vec<TaskView>>> {
    Ok(Json(state.service.tasks(&user).await?))
}

/// Creates a draft task in the caller's department.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks", security(("token" = [])), request_body = TaskDefinition,
    params(("Idempotency-Key" = Option<String>, Header, description = "retries with the same key get the first answer")),
    responses((status = 201, body = TaskView), Unauthorized, Forbidden, Conflict, TooLarge, NotJson, Invalid))]
pub async fn create(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: HeaderMap,
    Json(definition): Json<TaskDefinition>,
) -> AppResult<Response> {
    let request = format!("POST /api/tasks {}", serde_json::to_string(&definition).unwrap_or_default());
    once(&state, &user, &headers, request, StatusCode::CREATED, async |service| {
        service.create_task(&user, definition).await
    })
    .await
}

#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks", security(("token" = [])),
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskView), Unauthorized, Forbidden, NotFound))]
pub async fn show(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<TaskView>> {
    Ok(Json(state.service.task(&user, id).await?))
}

/// Replaces a draft's definition; refused (409) once committed.
#[utoipa::path(put, path = "/api/tasks/{id}", tag = "tasks", security(("token" = [])), request_body = TaskDefinition,
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn update(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
    Json(definition): Json<TaskDefinition>,
) -> AppResult<Json<TaskView>> {
    Ok(Json(state.service.update_task(&user, id, definition).await?))
}

/// The drand round a committed task waits for, its time, and whether this
/// server can fetch it (`fetch_drand`) and draws the task by itself once due.
#[utoipa::path(get, path = "/api/tasks/{id}/drand", tag = "tasks", security(("token" = [])),
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = DrandRoundView), Unauthorized, Forbidden, NotFound, Conflict, Invalid))]
pub async fn drand_round(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<DrandRoundView>> {
    Ok(Json(state.service.drand_round(&user, id).await?))
}

/// Freezes the pools, draws the secret and logs the commitment.
#[utoipa::path(post, path = "/api/tasks/{id}/commit", tag = "tasks", security(("token" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retries with the same key get the first answer"), ("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskView), Unauthorized, Forbidden, NotFound, Conflict, Invalid))]
pub async fn commit(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    once(&state, &user, &headers, format!("POST /api/tasks/{id}/commit"), StatusCode::OK, async |service| {
        service.commit_task(&user, id).await
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    /// The public entropy, written in the format fixed at commitment
    /// (e.g. the faces of dice rolled in public: "31415265..."). Not for a
    /// task committed to a drand round, which takes `drand`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entropy: Option<String>,
    /// For a task committed to a drand round: that round as a relay serves
    /// it at `/{chain}/public/{round}`. Its randomness becomes the entropy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drand: Option<DrandRoundInput>,
    /// For a task committed to a drand round, on a server with drand relays
    /// (`--drand-url`): fetch the committed round from them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fetch_drand: bool,
}

/// Draws with the public entropy; the result is sealed until the reveal.
/// Asked again with the same entropy, it answers with the draw already made.
#[utoipa::path(post, path = "/api/tasks/{id}/draw", tag = "tasks", security(("token" = [])), request_body = DrawRequest,
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn draw(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<DrawRequest>,
) -> AppResult<Response> {
    let request = match (&body.entropy, &body.drand, body.fetch_drand) {
        (Some(entropy), None, false) => format!("POST /api/tasks/{id}/draw {entropy}"),
        (None, Some(round), false) => {
            format!("POST /api/tasks/{id}/draw drand {} {}", round.round, round.signature)
        }
        (None, None, true) => format!("POST /api/tasks/{id}/draw fetch_drand"),
        (None, None, false) => {
            let message = "send the entropy, or for a task committed to a drand round, the round as `drand`";
            return Err(ServiceError::invalid("entropy_or_drand", Some("entropy".into()), message).into());
        }
        _ => {
            let message = "send one of the entropy, a drand round or fetch_drand, not several";
            return Err(ServiceError::invalid("entropy_or_drand", Some("drand".into()), message).into());
        }
    };
    let answer = once(&state, &user, &headers, request, StatusCode::OK, async |service| match &body.drand {
        Some(round) => service.draw_task_with_drand(&user, id, round).await,
        None if body.fetch_drand => service.draw_task_fetching_drand(&user, id).await,
        None => service.draw_task(&user, id, body.entropy.as_deref().unwrap_or_default()).await,
    })
    .await?;
    state.metrics.drew();
    Ok(answer)
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Reveal before the embargo date.
    #[serde(default)]
    pub release_early: bool,
}

/// Publishes the secret, the entropy and the result.
#[utoipa::path(post, path = "/api/tasks/{id}/reveal", tag = "tasks", security(("token" = [])), request_body = RevealRequest,
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
pub async fn reveal(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: HeaderMap,
    Path(id): Path<i64>,
    SmallBody(body): SmallBody,
) -> AppResult<Response> {
    let early = if body.is_empty() {
        false
    } else {
        let parsed: RevealRequest = serde_json::from_slice(&body).map_err(|e| {
            super::error::AppError::bad_request("invalid_json", None, format!("the body: {e}"))
        })?;
        parsed.release_early
    };
    let request = format!("POST /api/tasks/{id}/reveal {early}");
    once(&state, &user, &headers, request, StatusCode::OK, async |service| {
        service.reveal_task(&user, id, early).await
    })
    .await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbandonRequest {
    /// Why; it stays in the public log.
    pub reason: String,
}

/// Ends a task that is not revealed yet; the reason stays in the public log.
#[utoipa::path(post, path = "/api/tasks/{id}/abandon", tag = "tasks", security(("token" = [])), request_body = AbandonRequest,
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn abandon(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<AbandonRequest>,
) -> AppResult<Response> {
    let request = format!("POST /api/tasks/{id}/abandon {}", body.reason);
    once(&state, &user, &headers, request, StatusCode::OK, async |service| {
        service.abandon_task(&user, id, &body.reason).await
    })
    .await
}

/// The drawn targets and their inspectors, sealed or not, for the
/// supervisors of the task's lead department; another department's
/// supervisor is answered as for a task that does not exist.
#[utoipa::path(get, path = "/api/tasks/{id}/selection", tag = "tasks", security(("token" = [])),
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = TaskSelection), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn selection(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<TaskSelection>> {
    Ok(Json(state.service.task_selection(&user, id).await?))
}

/// What committing and drawing this draft would give — pool, strata,
/// quotas, and whether the drawn targets have enough eligible inspectors —
/// drawn with a throwaway seed. Writes nothing and logs nothing; the real
/// draw selects other targets. Another department's supervisor is
/// answered as for a task that does not exist.
#[utoipa::path(post, path = "/api/tasks/{id}/dry-run", tag = "tasks", security(("token" = [])),
    params(("id" = i64, Path, description = "the draft", example = 1)),
    responses((status = 200, body = DryRun), Unauthorized, Forbidden, NotFound, Conflict, Invalid))]
pub async fn dry_run(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<DryRun>> {
    Ok(Json(state.service.dry_run(&user, id).await?))
}

/// What needs attention: tasks per state, committed tasks ready to draw,
/// results to review and overdue, and reminders per inspector of what is
/// due within five working days or overdue. A supervisor's department's,
/// or (admins) every department's counts; an inspector sees only their own
/// reminder.
#[utoipa::path(get, path = "/api/dashboard", tag = "tasks", security(("token" = [])),
    responses((status = 200, body = Dashboard), Unauthorized, Forbidden))]
pub async fn dashboard(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Dashboard>> {
    Ok(Json(state.service.dashboard(&user).await?))
}
